package main

import (
	"strings"
	"testing"
	"time"
)

func TestSettingsFrom(t *testing.T) {
	base := map[string]string{
		envNodeName:      "node-a",
		envConditionType: "projectcalico.org/CalicoReady",
		envCheckEndpoint: "http://localhost:9099/readiness",
	}
	tests := []struct {
		name            string
		env             map[string]string
		wantErr         string
		wantWarnings    int
		wantInterval    time.Duration
		wantHeartbeat   time.Duration
		wantImpersonate bool
		wantMetrics     string
	}{
		{name: "defaults", env: base, wantInterval: 30 * time.Second, wantHeartbeat: 5 * time.Minute, wantMetrics: ":9445"},
		{
			name:          "given values",
			env:           with(base, envCheckInterval, "500ms", envHeartbeatPeriod, "1m30s", envImpersonateNode, "true", envMetricsBindAddress, "127.0.0.1:9000"),
			wantInterval:  500 * time.Millisecond,
			wantHeartbeat: 90 * time.Second, wantImpersonate: true, wantMetrics: "127.0.0.1:9000",
		},
		{name: "impersonation only for the exact string true", env: with(base, envImpersonateNode, "True"), wantInterval: 30 * time.Second, wantHeartbeat: 5 * time.Minute, wantMetrics: ":9445"},
		{name: "unparsable interval keeps the default", env: with(base, envCheckInterval, "5"), wantWarnings: 1, wantInterval: 30 * time.Second, wantHeartbeat: 5 * time.Minute, wantMetrics: ":9445"},
		{name: "zero and negative durations keep the defaults", env: with(base, envCheckInterval, "0s", envHeartbeatPeriod, "-1m"), wantWarnings: 2, wantInterval: 30 * time.Second, wantHeartbeat: 5 * time.Minute, wantMetrics: ":9445"},
		{name: "no node name", env: with(base, envNodeName, ""), wantErr: "NODE_NAME not set"},
		{name: "no condition type", env: with(base, envConditionType, ""), wantErr: "CONDITION_TYPE not set"},
		{name: "no endpoint", env: with(base, envCheckEndpoint, ""), wantErr: "endpoint cannot be empty"},
		{name: "endpoint not http", env: with(base, envCheckEndpoint, "unix:///run/cni.sock"), wantErr: `unsupported scheme "unix"`},
		{name: "endpoint without host", env: with(base, envCheckEndpoint, "http:///readiness"), wantErr: "missing host"},
		{name: "endpoint not a URL", env: with(base, envCheckEndpoint, "http://[::1"), wantErr: "invalid endpoint URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, warnings, err := settingsFrom(func(key string) string { return tt.env[key] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != tt.wantWarnings {
				t.Errorf("warnings = %v, want %d", warnings, tt.wantWarnings)
			}
			got := []any{s.nodeName, s.conditionType, s.checkEndpoint, s.checkInterval, s.heartbeatPeriod, s.impersonateNode, s.metricsBindAddress}
			want := []any{"node-a", "projectcalico.org/CalicoReady", "http://localhost:9099/readiness", tt.wantInterval, tt.wantHeartbeat, tt.wantImpersonate, tt.wantMetrics}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("settings field %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

// with copies env with the key, value pairs set.
func with(env map[string]string, pairs ...string) map[string]string {
	copied := map[string]string{}
	for key, value := range env {
		copied[key] = value
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		copied[pairs[i]] = pairs[i+1]
	}
	return copied
}
