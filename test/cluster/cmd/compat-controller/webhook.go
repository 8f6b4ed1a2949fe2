package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// webhookPath and webhookPort are where NRC's manager serves its validating webhook.
	webhookPath = "/validate-readiness-node-x-k8s-io-v1alpha1-nodereadinessrule"
	webhookPort = 9443
)

// webhookCertDir is controller-runtime's default, which NRC keeps and our harness fills.
func webhookCertDir() string {
	return filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs")
}

type ruleLister func() []*rule

// serveWebhook serves until ctx ends; an error means it could not start.
func serveWebhook(ctx context.Context, existingRules ruleLister) error {
	dir := webhookCertDir()
	certificate, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		return fmt.Errorf("webhook serving certificate: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, admissionHandler(existingRules))
	server := &http.Server{
		Addr:              fmt.Sprintf(":%d", webhookPort),
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{certificate}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	return serveUntilDone(ctx, server, func() error { return server.ListenAndServeTLS("", "") })
}

func serveUntilDone(ctx context.Context, server *http.Server, serve func() error) error {
	failed := make(chan error, 1)
	go func() { failed <- serve() }()
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("compat-controller: stopping %s: %v", server.Addr, err)
		}
		return nil
	}
}

func admissionHandler(existingRules ruleLister) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "expected an AdmissionReview with a request", http.StatusBadRequest)
			return
		}
		review.Response = admit(review.Request, existingRules())
		review.Response.UID = review.Request.UID
		review.Request = nil
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(&review); err != nil {
			log.Printf("compat-controller: writing admission response: %v", err)
		}
	})
}

// admit answers as controller-runtime answers for NRC's validator: a refusal is a 403
// whose message lists every failed field.
func admit(request *admissionv1.AdmissionRequest, existing []*rule) *admissionv1.AdmissionResponse {
	if request.Operation != admissionv1.Create && request.Operation != admissionv1.Update {
		return &admissionv1.AdmissionResponse{Allowed: true}
	}
	var candidate rule
	if err := json.Unmarshal(request.Object.Raw, &candidate); err != nil {
		return denied(http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
	}
	isUpdate := request.Operation == admissionv1.Update
	if errs := validateRule(&candidate, existing, isUpdate); len(errs) > 0 {
		return denied(http.StatusForbidden, metav1.StatusReasonForbidden, fmt.Sprintf("validation failed: %v", errs))
	}
	response := &admissionv1.AdmissionResponse{Allowed: true}
	if !isUpdate {
		response.Warnings = createWarnings(candidate.Spec)
	}
	return response
}

func denied(code int32, reason metav1.StatusReason, message string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{
		Allowed: false,
		Result:  &metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: reason, Message: message},
	}
}
