package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type urlType = url.URL

type pkiFiles struct {
	caCert, caKey           string
	servingCert, servingKey string
	adminCert, adminKey     string
	saKey, saPub            string
	// The identities kubeadm gives kube-controller-manager and kube-scheduler,
	// which the apiserver's bootstrap RBAC grants their rights to.
	controllerManagerCert, controllerManagerKey string
	schedulerCert, schedulerKey                 string
}

// writePKI creates a fresh CA per cluster so nothing outside the state
// directory is ever trusted by, or trusts, this apiserver.
func writePKI(dir string) (pkiFiles, error) {
	files := pkiFiles{
		caCert: filepath.Join(dir, "ca.crt"), caKey: filepath.Join(dir, "ca.key"),
		servingCert: filepath.Join(dir, "apiserver.crt"), servingKey: filepath.Join(dir, "apiserver.key"),
		adminCert: filepath.Join(dir, "admin.crt"), adminKey: filepath.Join(dir, "admin.key"),
		saKey: filepath.Join(dir, "sa.key"), saPub: filepath.Join(dir, "sa.pub"),
		controllerManagerCert: filepath.Join(dir, "controller-manager.crt"), controllerManagerKey: filepath.Join(dir, "controller-manager.key"),
		schedulerCert: filepath.Join(dir, "scheduler.crt"), schedulerKey: filepath.Join(dir, "scheduler.key"),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return files, err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return files, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return files, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := writeCert(files.caCert, caDER); err != nil {
		return files, err
	}
	if err := writeECKey(files.caKey, caKey); err != nil {
		return files, err
	}

	serving := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
	}
	if err := issue(serving, ca, caKey, files.servingCert, files.servingKey); err != nil {
		return files, err
	}
	clients := []struct {
		subject   pkix.Name
		cert, key string
	}{
		{pkix.Name{CommonName: "admin", Organization: []string{"system:masters"}}, files.adminCert, files.adminKey},
		{pkix.Name{CommonName: "system:kube-controller-manager"}, files.controllerManagerCert, files.controllerManagerKey},
		{pkix.Name{CommonName: "system:kube-scheduler"}, files.schedulerCert, files.schedulerKey},
	}
	for index, client := range clients {
		template := &x509.Certificate{
			SerialNumber: big.NewInt(int64(3 + index)),
			Subject:      client.subject,
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if err := issue(template, ca, caKey, client.cert, client.key); err != nil {
			return files, err
		}
	}

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return files, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return files, err
	}
	if err := writePEM(files.saKey, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return files, err
	}
	return files, writePEM(files.saPub, "PUBLIC KEY", pubDER)
}

func issue(template, ca *x509.Certificate, caKey *ecdsa.PrivateKey, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writeCert(certPath, der); err != nil {
		return err
	}
	return writeECKey(keyPath, key)
}

func writeCert(path string, der []byte) error { return writePEM(path, "CERTIFICATE", der) }

func writeECKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "EC PRIVATE KEY", der)
}

func writePEM(path, blockType string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600)
}

// writeKubeconfig writes a kubeconfig for one client certificate.
func writeKubeconfig(path, server, caCert, user, cert, key string) error {
	data := func(file string) string {
		raw, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		return base64.StdEncoding.EncodeToString(raw)
	}
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: localcluster
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: localcluster
  context:
    cluster: localcluster
    user: %[3]s
current-context: localcluster
`, server, data(caCert), user, data(cert), data(key))
	return os.WriteFile(path, []byte(config), 0o600)
}

func adminHTTPClient(pki pkiFiles) (*http.Client, error) {
	pair, err := tls.LoadX509KeyPair(pki.adminCert, pki.adminKey)
	if err != nil {
		return nil, err
	}
	roots, err := loadCAPool(pki.caCert)
	if err != nil {
		return nil, err
	}
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}},
	}, nil
}

func loadCAPool(path string) (*x509.CertPool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(raw) {
		return nil, fmt.Errorf("no certificate in %s", path)
	}
	return pool, nil
}

func mustURL(raw string) urlType {
	parsed, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return *parsed
}

func splitComma(value string) []string {
	var parts []string
	for _, part := range strings.Split(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	return parts
}

func writeServingCert(pkiDir, host, outDir string) error {
	caPEM, err := os.ReadFile(filepath.Join(pkiDir, "ca.crt"))
	if err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(filepath.Join(pkiDir, "ca.key"))
	if err != nil {
		return err
	}
	caBlock, _ := pem.Decode(caPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if caBlock == nil || keyBlock == nil {
		return fmt.Errorf("%s holds no PEM CA certificate and key", pkiDir)
	}
	ca, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return err
	}
	caKey, err := x509.ParseECPrivateKey(keyBlock.Bytes)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return err
	}
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		template.IPAddresses = []net.IP{ip}
	} else {
		template.DNSNames = []string{host}
	}
	return issue(template, ca, caKey, filepath.Join(outDir, "tls.crt"), filepath.Join(outDir, "tls.key"))
}

// writeClientCSR makes a key and a certificate signing request for a client
// identity, as a kubelet does when it asks for its node client certificate.
func writeClientCSR(commonName, organization, outDir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: commonName, Organization: []string{organization}},
	}, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(outDir, "client.csr"), "CERTIFICATE REQUEST", der); err != nil {
		return err
	}
	return writeECKey(filepath.Join(outDir, "client.key"), key)
}

// runServingCert issues a serving certificate from a cluster's CA, for the
// HTTPS endpoints a test stands up next to the apiserver (webhooks, a
// kubelet's port), so the apiserver can verify them with the cluster CA.
func runServingCert(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: localcluster serving-cert STATE_DIR HOST OUT_DIR")
		return 2
	}
	stateDir, host, outDir := args[0], args[1], args[2]
	if err := writeServingCert(filepath.Join(stateDir, "pki"), host, outDir); err != nil {
		return fail("serving cert: %v", err)
	}
	return 0
}

func runClientCSR(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: localcluster client-csr COMMON_NAME ORGANIZATION OUT_DIR")
		return 2
	}
	if err := writeClientCSR(args[0], args[1], args[2]); err != nil {
		return fail("client CSR: %v", err)
	}
	return 0
}
