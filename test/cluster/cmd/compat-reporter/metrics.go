package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// reporterMetrics are NRC's reporter metrics, by the same names, labels and
// buckets, in a registry of their own: no Go runtime or process series, as in
// NRC's reporter, so a scrape of either shows the same series.
type reporterMetrics struct {
	registry      *prometheus.Registry
	checkDuration prometheus.Histogram
	checks        *prometheus.CounterVec
	writes        *prometheus.CounterVec
}

// Results of checks_total and condition_writes_total.
const (
	checkHealthy   = "healthy"
	checkUnhealthy = "unhealthy"
	checkError     = "error"
	writeSuccess   = "success"
	writeError     = "error"
	writeSkipped   = "skipped"
)

func newReporterMetrics() *reporterMetrics {
	m := &reporterMetrics{
		registry: prometheus.NewRegistry(),
		checkDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "node_readiness_reporter_check_duration_seconds",
			Help:    "Duration of health probe checks.",
			Buckets: []float64{0.005, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "node_readiness_reporter_checks_total",
			Help: "Total probe check results over time.",
		}, []string{"result"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "node_readiness_reporter_condition_writes_total",
			Help: "Total Node condition updates handled by the reporter.",
		}, []string{"result"}),
	}
	buildInfo := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "node_readiness_reporter_build_info",
		Help:        "Reporter binary version.",
		ConstLabels: prometheus.Labels{"version": version},
	}, func() float64 { return 1 })
	m.registry.MustRegister(buildInfo, m.checkDuration, m.checks, m.writes)
	return m
}

// checkResult sorts an answer the way NRC's checks_total does: by reason, so
// a request that never got an answer is an error, not unhealthy.
func checkResult(answer endpointAnswer) string {
	switch answer.reason {
	case reasonEndpointOK:
		return checkHealthy
	case reasonEndpointNotReady:
		return checkUnhealthy
	default:
		return checkError
	}
}

// handler serves /metrics and a bare /healthz, the two paths NRC's reporter serves.
func (m *reporterMetrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}
