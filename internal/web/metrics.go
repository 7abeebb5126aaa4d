package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tendhq/tend"
)

// Metrics are what /metrics reports.
type Metrics struct {
	registry        *prometheus.Registry
	requestDuration *prometheus.HistogramVec
	ticketsCreated  *prometheus.CounterVec
}

// NewMetrics registers Tend's metrics; with pools set, also the state of the
// database connection pools.
func NewMetrics(pools func() []PoolStats) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tend_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		ticketsCreated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_tickets_created_total",
			Help: "Tickets created, by channel.",
		}, []string{"channel"}),
	}
	m.registry.MustRegister(m.requestDuration, m.ticketsCreated,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pools != nil {
		m.registry.MustRegister(poolCollector(pools))
	}
	return m
}

// TicketChanged counts ticket creations; it is the ticket service's Notify.
func (m *Metrics) TicketChanged(c tend.TicketChange) {
	if c.Kind == tend.EventCreated {
		m.ticketsCreated.WithLabelValues(string(c.Channel)).Inc()
	}
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// instrument times each request under its route pattern, so that
// /api/v1/tickets/{id} is one series, not one per ticket.
func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requestDuration.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
	})
}

// PoolStats describes one database connection pool.
type PoolStats struct {
	Pool                 string
	InUse, Idle, MaxOpen int
	Waits                int64
	WaitTime             time.Duration
}

type poolCollector func() []PoolStats

var (
	poolConnsDesc = prometheus.NewDesc("tend_db_connections", "Database connections by pool and state.", []string{"pool", "state"}, nil)
	poolMaxDesc   = prometheus.NewDesc("tend_db_connections_max", "Most connections a pool may open.", []string{"pool"}, nil)
	poolWaitsDesc = prometheus.NewDesc("tend_db_waits_total", "Times a request waited for a free connection.", []string{"pool"}, nil)
	poolWaitDesc  = prometheus.NewDesc("tend_db_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConnsDesc
	ch <- poolMaxDesc
	ch <- poolWaitsDesc
	ch <- poolWaitDesc
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c() {
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(p.InUse), p.Pool, "in_use")
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(p.Idle), p.Pool, "idle")
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(p.MaxOpen), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(p.Waits), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, p.WaitTime.Seconds(), p.Pool)
	}
}
