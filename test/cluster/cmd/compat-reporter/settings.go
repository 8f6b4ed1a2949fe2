package main

import (
	"fmt"
	"net/url"
	"time"
)

// The environment contract of NRC's readiness-condition-reporter, names and
// defaults included, so a DaemonSet written for it runs this binary unchanged.
const (
	envNodeName           = "NODE_NAME"
	envConditionType      = "CONDITION_TYPE"
	envCheckEndpoint      = "CHECK_ENDPOINT"
	envCheckInterval      = "CHECK_INTERVAL"
	envHeartbeatPeriod    = "HEARTBEAT_PERIOD"
	envImpersonateNode    = "IMPERSONATE_NODE"
	envMetricsBindAddress = "METRICS_BIND_ADDRESS"

	defaultCheckInterval      = 30 * time.Second
	defaultHeartbeatPeriod    = 5 * time.Minute
	defaultMetricsBindAddress = ":9445"
)

type settings struct {
	nodeName           string
	conditionType      string
	checkEndpoint      string
	checkInterval      time.Duration
	heartbeatPeriod    time.Duration
	impersonateNode    bool
	metricsBindAddress string
}

// settingsFrom reads the environment. A missing or bad required variable is
// fatal; a bad duration is not: the default stands and the problem comes back
// in warnings, as NRC's reporter logs it and carries on.
func settingsFrom(getenv func(string) string) (s settings, warnings []error, err error) {
	s.nodeName = getenv(envNodeName)
	if s.nodeName == "" {
		return s, nil, fmt.Errorf("environment variable %s not set", envNodeName)
	}
	s.conditionType = getenv(envConditionType)
	if s.conditionType == "" {
		return s, nil, fmt.Errorf("environment variable %s not set", envConditionType)
	}
	if s.checkEndpoint, err = validCheckEndpoint(getenv(envCheckEndpoint)); err != nil {
		return s, nil, fmt.Errorf("invalid %s: %w", envCheckEndpoint, err)
	}
	var warning error
	if s.checkInterval, warning = durationOrDefault(envCheckInterval, getenv(envCheckInterval), defaultCheckInterval); warning != nil {
		warnings = append(warnings, warning)
	}
	if s.heartbeatPeriod, warning = durationOrDefault(envHeartbeatPeriod, getenv(envHeartbeatPeriod), defaultHeartbeatPeriod); warning != nil {
		warnings = append(warnings, warning)
	}
	// Only the exact string "true" turns it on, as in NRC's reporter: "True" or "1" leave it off.
	s.impersonateNode = getenv(envImpersonateNode) == "true"
	s.metricsBindAddress = getenv(envMetricsBindAddress)
	if s.metricsBindAddress == "" {
		s.metricsBindAddress = defaultMetricsBindAddress
	}
	return s, warnings, nil
}

// durationOrDefault parses a Go duration; an unparsable, zero or negative one
// falls back to the default, since a ticker cannot run on it.
func durationOrDefault(name, value string, fallback time.Duration) (time.Duration, error) {
	if value == "" {
		return fallback, nil
	}
	parsed, err := time.ParseDuration(value)
	if err == nil && parsed <= 0 {
		err = fmt.Errorf("must be positive")
	}
	if err != nil {
		return fallback, fmt.Errorf("invalid %s %q, using default %s: %w", name, value, fallback, err)
	}
	return parsed, nil
}

func validCheckEndpoint(endpoint string) (string, error) {
	if endpoint == "" {
		return "", fmt.Errorf("endpoint cannot be empty")
	}
	parsed, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("invalid endpoint URL: %w", err)
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" {
		return "", fmt.Errorf("unsupported scheme %q: must be http or https", parsed.Scheme)
	}
	if parsed.Host == "" {
		return "", fmt.Errorf("missing host in endpoint URL")
	}
	return endpoint, nil
}
