package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAskEndpoint(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantHealthy bool
		wantReason  string
		wantMessage string // %s stands for the endpoint's URL
	}{
		{name: "200", status: 200, body: "ok", wantHealthy: true, wantReason: "EndpointOK", wantMessage: "Endpoint reports ready at %s"},
		{name: "204 is 2xx", status: 204, wantHealthy: true, wantReason: "EndpointOK", wantMessage: "Endpoint reports ready at %s"},
		{name: "503 with body", status: 503, body: "calico-node is not ready", wantReason: "EndpointNotReady", wantMessage: "Endpoint returned non-2xx status code 503 at %s: calico-node is not ready"},
		{name: "500 without body", status: 500, wantReason: "EndpointNotReady", wantMessage: "Endpoint returned non-2xx status code 500 at %s: "},
		{name: "redirect is not 2xx", status: 304, wantReason: "EndpointNotReady", wantMessage: "Endpoint returned non-2xx status code 304 at %s: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer server.Close()
			endpoint := server.URL + "/node-b/readiness"
			got := askEndpoint(context.Background(), newEndpointClient(), endpoint)
			want := endpointAnswer{healthy: tt.wantHealthy, reason: tt.wantReason, message: strings.ReplaceAll(tt.wantMessage, "%s", endpoint)}
			if got != want {
				t.Errorf("answer = %+v, want %+v", got, want)
			}
		})
	}
}

func TestAskEndpointBodyIsCut(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(503)
		_, _ = w.Write([]byte(strings.Repeat("x", maxBodyInMessage+10)))
	}))
	defer server.Close()
	got := askEndpoint(context.Background(), newEndpointClient(), server.URL)
	if body := strings.TrimPrefix(got.message, "Endpoint returned non-2xx status code 503 at "+server.URL+": "); len(body) != maxBodyInMessage {
		t.Errorf("body in message is %d bytes, want %d", len(body), maxBodyInMessage)
	}
}

func TestAskEndpointWithoutAnswer(t *testing.T) {
	refusedHost := closedPortHost(t)
	refused := "http://" + refusedHost + "/readiness"
	hung := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hung.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		client      *http.Client
		endpoint    string
		wantMessage string
	}{
		{name: "connection refused", ctx: context.Background(), client: newEndpointClient(), endpoint: refused,
			wantMessage: `Failed to reach endpoint ` + refused + `: Get "` + refused + `": dial tcp ` + refusedHost + `: connect: connection refused`},
		{name: "timeout", ctx: context.Background(), client: &http.Client{Timeout: 50 * time.Millisecond}, endpoint: hung.URL,
			wantMessage: `Failed to reach endpoint ` + hung.URL + `: Get "` + hung.URL + `": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`},
		{name: "stopping", ctx: cancelled, client: newEndpointClient(), endpoint: hung.URL,
			wantMessage: `Failed to reach endpoint ` + hung.URL + `: Get "` + hung.URL + `": context canceled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := askEndpoint(tt.ctx, tt.client, tt.endpoint)
			want := endpointAnswer{reason: "EndpointConnectionError", message: tt.wantMessage}
			if got != want {
				t.Errorf("answer = %+v, want %+v", got, want)
			}
			if checkResult(got) != checkError {
				t.Errorf("checks_total result = %s, want error", checkResult(got))
			}
		})
	}
}

func TestAskEndpointTimeoutIsTenSeconds(t *testing.T) {
	if got := newEndpointClient().Timeout; got != 10*time.Second {
		t.Errorf("endpoint timeout = %s, want NRC's 10s", got)
	}
}

// closedPortHost is a loopback host:port nothing listens on.
func closedPortHost(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := listener.Addr().String()
	_ = listener.Close()
	return host
}
