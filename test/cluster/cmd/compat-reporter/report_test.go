package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// fakeAPIServer answers the two requests a reporter may make about one node,
// keeps resourceVersion honest (a stale PUT is a 409) and records every request.
type fakeAPIServer struct {
	mu   sync.Mutex
	node corev1.Node
	// PUTs still to refuse with a 409, as when another writer got in first.
	conflicts int
	// Answers every GET with this status code instead of the node, when set.
	getRefusal int
	requests   []*http.Request
}

func (f *fakeAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/nodes/"+f.node.Name && f.getRefusal != 0:
		writeStatus(w, f.getRefusal, metav1.StatusReasonForbidden, "nodes is forbidden")
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/nodes/"+f.node.Name:
		writeJSON(w, http.StatusOK, f.node)
	case r.Method == http.MethodPut && r.URL.Path == "/api/v1/nodes/"+f.node.Name+"/status":
		f.updateStatus(w, r)
	default:
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, r.Method+" "+r.URL.Path)
	}
}

func (f *fakeAPIServer) updateStatus(w http.ResponseWriter, r *http.Request) {
	// client-go sends built-in types as protobuf.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	var sent corev1.Node
	if _, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, &sent); err != nil {
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	if f.conflicts > 0 {
		f.conflicts--
		f.bumpResourceVersion()
		writeStatus(w, http.StatusConflict, metav1.StatusReasonConflict, "the object has been modified")
		return
	}
	if sent.ResourceVersion != f.node.ResourceVersion {
		writeStatus(w, http.StatusConflict, metav1.StatusReasonConflict, "stale resourceVersion")
		return
	}
	f.node.Status = sent.Status
	f.bumpResourceVersion()
	writeJSON(w, http.StatusOK, f.node)
}

func (f *fakeAPIServer) bumpResourceVersion() {
	version, _ := strconv.Atoi(f.node.ResourceVersion)
	f.node.ResourceVersion = strconv.Itoa(version + 1)
}

// calls are the requests so far as "METHOD path", and forgets them.
func (f *fakeAPIServer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := make([]string, len(f.requests))
	for i, r := range f.requests {
		calls[i] = r.Method + " " + r.URL.Path
	}
	f.requests = nil
	return calls
}

func (f *fakeAPIServer) condition() *corev1.NodeCondition {
	f.mu.Lock()
	defer f.mu.Unlock()
	return findCondition(f.node.Status.Conditions, calicoReady)
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, message string) {
	writeJSON(w, code, metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Code: int32(code), Reason: reason, Message: message})
}

// healthEndpoint answers like the harness's: 200, or 503 with a message.
type healthEndpoint struct {
	mu      sync.Mutex
	healthy bool
	message string
}

func (h *healthEndpoint) set(healthy bool, message string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.healthy, h.message = healthy, message
}

func (h *healthEndpoint) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(h.message))
}

type harness struct {
	api      *fakeAPIServer
	health   *healthEndpoint
	endpoint string
	reporter *reporter
	clock    time.Time
}

func newHarness(t *testing.T, impersonate bool) *harness {
	t.Helper()
	h := &harness{
		api:    &fakeAPIServer{node: corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b", ResourceVersion: "1"}}},
		health: &healthEndpoint{healthy: true, message: "ok"},
		clock:  time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
	}
	api := httptest.NewServer(h.api)
	t.Cleanup(api.Close)
	health := httptest.NewServer(h.health)
	t.Cleanup(health.Close)
	h.endpoint = health.URL + "/node-b/readiness"
	s := settings{nodeName: "node-b", conditionType: calicoReady, checkEndpoint: h.endpoint, checkInterval: time.Second, heartbeatPeriod: 5 * time.Minute, impersonateNode: impersonate}
	nodes, err := kubernetes.NewForConfig(reporterConfig(&rest.Config{Host: api.URL}, s))
	if err != nil {
		t.Fatal(err)
	}
	h.reporter = &reporter{settings: s, endpoint: newEndpointClient(), nodes: nodes, metrics: newReporterMetrics(), now: func() time.Time { return h.clock }}
	return h
}

// checkAt runs one check at the given time after the harness's start.
func (h *harness) checkAt(t *testing.T, after time.Duration) {
	t.Helper()
	h.clock = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Add(after)
	h.reporter.check(context.Background())
}

func (h *harness) metric(t *testing.T, series string) string {
	t.Helper()
	recorder := httptest.NewRecorder()
	h.reporter.metrics.handler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	match := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(recorder.Body.String())
	if match == nil {
		return ""
	}
	return match[1]
}

func TestReporterRounds(t *testing.T) {
	h := newHarness(t, true)
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	get, put := "GET /api/v1/nodes/node-b", "PUT /api/v1/nodes/node-b/status"
	rounds := []struct {
		name           string
		after          time.Duration
		healthy        bool
		body           string
		wantCalls      []string
		wantStatus     corev1.ConditionStatus
		wantReason     string
		wantMessage    string
		wantHeartbeat  time.Duration
		wantTransition time.Duration
	}{
		{name: "first report", after: 0, healthy: true, body: "ok", wantCalls: []string{get, put},
			wantStatus: "True", wantReason: "EndpointOK", wantMessage: "Endpoint reports ready at %s"},
		{name: "unchanged a minute later: read, not written", after: time.Minute, healthy: true, body: "ok", wantCalls: []string{get},
			wantStatus: "True", wantReason: "EndpointOK", wantMessage: "Endpoint reports ready at %s"},
		{name: "unchanged after the heartbeat period: written, transition kept", after: 5 * time.Minute, healthy: true, body: "ok", wantCalls: []string{get, put},
			wantStatus: "True", wantReason: "EndpointOK", wantMessage: "Endpoint reports ready at %s", wantHeartbeat: 5 * time.Minute},
		{name: "503: a transition", after: 6 * time.Minute, healthy: false, body: "calico-node is not ready", wantCalls: []string{get, put},
			wantStatus: "False", wantReason: "EndpointNotReady", wantMessage: "Endpoint returned non-2xx status code 503 at %s: calico-node is not ready",
			wantHeartbeat: 6 * time.Minute, wantTransition: 6 * time.Minute},
		{name: "a new body: written, transition kept", after: 7 * time.Minute, healthy: false, body: "calico-node crashed", wantCalls: []string{get, put},
			wantStatus: "False", wantReason: "EndpointNotReady", wantMessage: "Endpoint returned non-2xx status code 503 at %s: calico-node crashed",
			wantHeartbeat: 7 * time.Minute, wantTransition: 6 * time.Minute},
	}
	for _, round := range rounds {
		h.health.set(round.healthy, round.body)
		h.checkAt(t, round.after)
		if calls := h.api.calls(); strings.Join(calls, ", ") != strings.Join(round.wantCalls, ", ") {
			t.Errorf("%s: requests = %v, want %v", round.name, calls, round.wantCalls)
		}
		got := h.api.condition()
		if got == nil {
			t.Fatalf("%s: no %s condition on the node", round.name, calicoReady)
		}
		want := corev1.NodeCondition{Type: calicoReady, Status: round.wantStatus, Reason: round.wantReason, Message: strings.ReplaceAll(round.wantMessage, "%s", h.endpoint),
			LastHeartbeatTime: metav1.NewTime(start.Add(round.wantHeartbeat)), LastTransitionTime: metav1.NewTime(start.Add(round.wantTransition))}
		if !conditionsEqual(*got, want) {
			t.Errorf("%s: condition = %+v, want %+v", round.name, *got, want)
		}
	}
	for series, want := range map[string]string{
		`node_readiness_reporter_condition_writes_total{result="success"}`: "4",
		`node_readiness_reporter_condition_writes_total{result="skipped"}`: "1",
		`node_readiness_reporter_checks_total{result="healthy"}`:           "3",
		`node_readiness_reporter_checks_total{result="unhealthy"}`:         "2",
		`node_readiness_reporter_check_duration_seconds_count`:             "5",
		`node_readiness_reporter_build_info{version="v0.1.0"}`:             "1",
	} {
		if got := h.metric(t, series); got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
}

func TestReporterWriteFailures(t *testing.T) {
	get, put := "GET /api/v1/nodes/node-b", "PUT /api/v1/nodes/node-b/status"
	tests := []struct {
		name        string
		conflicts   int
		getRefusal  int
		wantCalls   []string
		wantWritten bool
		wantResult  string
	}{
		{name: "one conflict: read again and written", conflicts: 1, wantCalls: []string{get, put, get, put}, wantWritten: true, wantResult: "success"},
		{name: "conflicts every time: five tries, then an error", conflicts: 99, wantCalls: []string{get, put, get, put, get, put, get, put, get, put}, wantResult: "error"},
		{name: "read refused: no write, no retry", getRefusal: http.StatusForbidden, wantCalls: []string{get}, wantResult: "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true)
			h.api.conflicts, h.api.getRefusal = tt.conflicts, tt.getRefusal
			h.checkAt(t, 0)
			if calls := h.api.calls(); strings.Join(calls, ", ") != strings.Join(tt.wantCalls, ", ") {
				t.Errorf("requests = %v, want %v", calls, tt.wantCalls)
			}
			if written := h.api.condition() != nil; written != tt.wantWritten {
				t.Errorf("condition written = %v, want %v", written, tt.wantWritten)
			}
			series := fmt.Sprintf(`node_readiness_reporter_condition_writes_total{result=%q}`, tt.wantResult)
			if got := h.metric(t, series); got != "1" {
				t.Errorf("%s = %q, want 1", series, got)
			}
		})
	}
}

func TestReporterIdentity(t *testing.T) {
	for _, impersonate := range []bool{true, false} {
		t.Run(fmt.Sprintf("IMPERSONATE_NODE=%v", impersonate), func(t *testing.T) {
			h := newHarness(t, impersonate)
			h.checkAt(t, 0)
			h.api.mu.Lock()
			defer h.api.mu.Unlock()
			wantUser := ""
			if impersonate {
				wantUser = "system:node:node-b"
			}
			for _, r := range h.api.requests {
				if got := r.Header.Get("Impersonate-User"); got != wantUser {
					t.Errorf("%s %s: Impersonate-User = %q, want %q", r.Method, r.URL.Path, got, wantUser)
				}
				if groups := r.Header.Values("Impersonate-Group"); len(groups) != 0 {
					t.Errorf("%s %s: Impersonate-Group = %v, want none: a group forces legacy impersonation", r.Method, r.URL.Path, groups)
				}
				if agent := r.UserAgent(); !strings.HasPrefix(agent, "compat-reporter/v0.1.0 ") {
					t.Errorf("%s %s: User-Agent = %q, want ours", r.Method, r.URL.Path, agent)
				}
			}
		})
	}
}

func TestMetricsHealthz(t *testing.T) {
	recorder := httptest.NewRecorder()
	newReporterMetrics().handler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if recorder.Code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", recorder.Code)
	}
}
