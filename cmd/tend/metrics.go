package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendhq/tend/internal/sqldb"
)

// poolCollector reports the database's connection pools to Prometheus.
type poolCollector struct{ db *sqldb.DB }

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
	for _, p := range c.db.Stats() {
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(p.InUse), p.Pool, "in_use")
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(p.Idle), p.Pool, "idle")
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(p.MaxOpen), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(p.Waits), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, p.WaitTime.Seconds(), p.Pool)
	}
}
