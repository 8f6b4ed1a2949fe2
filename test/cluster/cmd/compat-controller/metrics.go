package main

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
)

// counters are NRC's counter metrics, by name and label values.
type counters struct {
	mu     sync.Mutex
	values map[string]map[string]float64 // metric name -> rendered labels -> value
}

func newCounters() *counters { return &counters{values: map[string]map[string]float64{}} }

func (c *counters) add(metric, renderedLabels string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values[metric] == nil {
		c.values[metric] = map[string]float64{}
	}
	c.values[metric][renderedLabels]++
}

func (c *counters) taintOperation(rule, operation string) {
	c.add("node_readiness_taint_operations_total", labelPairs("rule", rule, "operation", operation))
}

func (c *counters) failure(rule, reason string) {
	c.add("node_readiness_failures_total", labelPairs("rule", rule, "reason", reason))
}

func (c *counters) bootstrapCompleted(rule string) {
	c.add("node_readiness_bootstrap_completed_total", labelPairs("rule", rule))
}

// labelPairs renders name, value, name, value... as Prometheus text labels.
func labelPairs(pairs ...string) string {
	rendered := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		rendered = append(rendered, fmt.Sprintf("%s=%q", pairs[i], pairs[i+1]))
	}
	return "{" + strings.Join(rendered, ",") + "}"
}

type sample struct {
	labels string
	value  float64
}

type family struct {
	name, kind, help string
	samples          []sample
}

func writeFamily(w io.Writer, f family) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
	sort.Slice(f.samples, func(i, j int) bool { return f.samples[i].labels < f.samples[j].labels })
	for _, s := range f.samples {
		fmt.Fprintf(w, "%s%s %g\n", f.name, s.labels, s.value)
	}
}

func (c *counters) families() []family {
	c.mu.Lock()
	defer c.mu.Unlock()
	help := map[string]string{
		"node_readiness_taint_operations_total":    "Total number of taint operations performed by the controller",
		"node_readiness_failures_total":            "Total number of operational failures",
		"node_readiness_bootstrap_completed_total": "Total number of nodes that have completed bootstrap",
	}
	var families []family
	for name, text := range help {
		f := family{name: name, kind: "counter", help: text}
		for rendered, value := range c.values[name] {
			f.samples = append(f.samples, sample{rendered, value})
		}
		families = append(families, f)
	}
	sort.Slice(families, func(i, j int) bool { return families[i].name < families[j].name })
	return families
}

// blockedNodes counts, per rule and condition, the nodes the rule holds on that
// condition, evaluated afresh from the informers' nodes at each scrape.
func (c *controller) blockedNodes() family {
	f := family{name: "node_readiness_blocked_nodes", kind: "gauge",
		help: "Nodes a rule holds (its taint on, the rule not met), by each condition the node still waits on"}
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return f
	}
	counts := map[string]float64{}
	for _, r := range c.cachedRules() {
		if r.DeletionTimestamp != nil {
			continue
		}
		for _, node := range nodes {
			for _, condition := range blockedConditions(evaluate(r, node)) {
				counts[labelPairs("rule", r.Name, "condition", condition)]++
			}
		}
	}
	for rendered, value := range counts {
		f.samples = append(f.samples, sample{rendered, value})
	}
	return f
}

func (c *controller) metricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		writeFamily(w, family{name: "node_readiness_rules_total", kind: "gauge", help: "Number of NodeReadinessRules",
			samples: []sample{{"", float64(len(c.cachedRules()))}}})
		writeFamily(w, c.blockedNodes())
		for _, f := range c.counters.families() {
			writeFamily(w, f)
		}
	})
}
