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

// NewMetrics registers Tend's metrics, and the extra collectors given (such
// as the database's).
func NewMetrics(extra ...prometheus.Collector) *Metrics {
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
	m.registry.MustRegister(extra...)
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

// observe records one request under its route pattern, so that
// /api/v1/tickets/{id} is one series, not one per ticket. Every label
// comes from a fixed set: a label taken from the request as sent would
// let anyone add series without end.
func (m *Metrics) observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m.requestDuration.WithLabelValues(methodLabel(r.Method), route, strconv.Itoa(status)).Observe(d.Seconds())
}

// methodLabel is the method as the metrics name it: one of the methods
// Tend serves, or "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}
