package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/klog/v2"
)

// The reasons a condition can carry. NRC's reporter writes the same strings,
// and rules and dashboards match on them.
const (
	reasonEndpointOK              = "EndpointOK"
	reasonEndpointNotReady        = "EndpointNotReady"
	reasonEndpointConnectionError = "EndpointConnectionError"
	reasonRequestCreationError    = "RequestCreationError"
)

const (
	// A hung endpoint must not stall the reporter: past this the check counts as a connection error.
	endpointTimeout = 10 * time.Second
	// Enough of a non-2xx body to say why, not so much that a runaway body bloats the node object.
	maxBodyInMessage = 64 * 1024
)

// endpointAnswer is what one check of the health endpoint says.
type endpointAnswer struct {
	healthy bool
	reason  string
	message string
}

func newEndpointClient() *http.Client {
	return &http.Client{Timeout: endpointTimeout}
}

// askEndpoint GETs the health endpoint: any 2xx is healthy; anything else,
// or no answer at all, is not, with the reason and message saying which.
func askEndpoint(ctx context.Context, client *http.Client, endpoint string) endpointAnswer {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return endpointAnswer{reason: reasonRequestCreationError, message: fmt.Sprintf("Failed to create request for endpoint %s: %v", endpoint, err)}
	}
	response, err := client.Do(request)
	if err != nil {
		return endpointAnswer{reason: reasonEndpointConnectionError, message: fmt.Sprintf("Failed to reach endpoint %s: %v", endpoint, err)}
	}
	defer func() { _ = response.Body.Close() }()
	if response.StatusCode >= http.StatusOK && response.StatusCode < http.StatusMultipleChoices {
		return endpointAnswer{healthy: true, reason: reasonEndpointOK, message: fmt.Sprintf("Endpoint reports ready at %s", endpoint)}
	}
	return endpointAnswer{
		reason:  reasonEndpointNotReady,
		message: fmt.Sprintf("Endpoint returned non-2xx status code %d at %s: %s", response.StatusCode, endpoint, bodyText(response.Body, endpoint)),
	}
}

func bodyText(body io.Reader, endpoint string) string {
	text, err := io.ReadAll(io.LimitReader(body, maxBodyInMessage))
	if err != nil {
		klog.ErrorS(err, "Failed to read response body", "endpoint", endpoint)
		return "<failed to read response body>"
	}
	return string(text)
}
