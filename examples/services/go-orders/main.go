// go-orders is an example Go service for Tollgate's end-to-end tests and benchmarks: a small orders API with a
// health check, a slow endpoint, failure injection and an echo of what the gateway forwarded. It serves HTTP/1.1
// and h2c (HTTP/2 without TLS) on one port, and gRPC on another (see grpc.go).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

type order struct {
	ID       int    `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

type store struct {
	mu     sync.Mutex
	next   int
	orders map[int]order
	posts  int
}

func newStore() *store {
	s := &store{next: 1, orders: map[int]order{}}
	for _, item := range []string{"espresso", "flat white", "croissant"} {
		s.add(order{Item: item, Quantity: 1})
	}
	return s
}

func (s *store) add(o order) order {
	s.mu.Lock()
	defer s.mu.Unlock()
	o.ID = s.next
	s.next++
	s.orders[o.ID] = o
	return o
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// inject applies failure injection asked for by headers or query parameters, on any path:
// X-Inject-Delay-Ms / ?delay_ms=, X-Inject-Status / ?status=, X-Inject-Reset / ?reset=1 (close the connection
// without answering). It returns true when it has answered.
func inject(w http.ResponseWriter, r *http.Request) bool {
	param := func(header, query string) string {
		if v := r.Header.Get(header); v != "" {
			return v
		}
		return r.URL.Query().Get(query)
	}
	if ms, err := strconv.Atoi(param("X-Inject-Delay-Ms", "delay_ms")); err == nil && ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return true
		}
	}
	if param("X-Inject-Reset", "reset") != "" {
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, err := hj.Hijack()
			if err == nil {
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0) // RST, not FIN
				}
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream
	}
	if status, err := strconv.Atoi(param("X-Inject-Status", "status")); err == nil && status >= 200 && status <= 599 {
		writeJSON(w, status, map[string]interface{}{"service": "go-orders", "injected_status": status})
		return true
	}
	return false
}

func echo(r *http.Request) map[string]interface{} {
	headers := map[string]string{}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		headers[strings.ToLower(name)] = strings.Join(r.Header[name], ", ")
	}
	return map[string]interface{}{
		"service":     "go-orders",
		"method":      r.Method,
		"path":        r.URL.EscapedPath(),
		"raw_query":   r.URL.RawQuery,
		"proto":       r.Proto,
		"request_id":  r.Header.Get("X-Request-Id"),
		"traceparent": r.Header.Get("Traceparent"),
		"headers":     headers,
	}
}

func routes(s *store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok", "service": "go-orders"})
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if inject(w, r) {
			return
		}
		body, _ := io.ReadAll(r.Body)
		e := echo(r)
		e["body_bytes"] = len(body)
		writeJSON(w, 200, e)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil || ms < 0 {
			ms = 1000
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			writeJSON(w, 200, map[string]interface{}{"service": "go-orders", "slept_ms": ms})
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		writeJSON(w, 200, map[string]interface{}{"orders": len(s.orders), "posts": s.posts})
	})
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) { ordersHandler(s, w, r) })
	mux.HandleFunc("/orders/", func(w http.ResponseWriter, r *http.Request) { ordersHandler(s, w, r) })
	return mux
}

// ordersHandler serves GET /orders, GET /orders/{id} and POST /orders (Go 1.19's ServeMux has no path patterns).
func ordersHandler(s *store, w http.ResponseWriter, r *http.Request) {
	if inject(w, r) {
		return
	}
	w.Header().Set("X-Request-Id-Seen", r.Header.Get("X-Request-Id"))
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/orders"), "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		s.mu.Lock()
		list := make([]order, 0, len(s.orders))
		for _, o := range s.orders {
			list = append(list, o)
		}
		s.mu.Unlock()
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		writeJSON(w, 200, map[string]interface{}{"items": list, "request": echo(r)})
	case rest == "" && r.Method == http.MethodPost:
		var o order
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&o); err != nil || o.Item == "" {
			writeJSON(w, 400, map[string]string{"error": "send {\"item\": \"...\", \"quantity\": n}"})
			return
		}
		s.mu.Lock()
		s.posts++
		s.mu.Unlock()
		writeJSON(w, 201, s.add(o))
	case rest != "" && r.Method == http.MethodGet:
		id, err := strconv.Atoi(rest)
		s.mu.Lock()
		o, ok := s.orders[id]
		s.mu.Unlock()
		if err != nil || !ok {
			writeJSON(w, 404, map[string]string{"error": "no such order"})
			return
		}
		writeJSON(w, 200, map[string]interface{}{"order": o, "request": echo(r)})
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, 405, map[string]string{"error": "method not allowed"})
	}
}

func main() {
	addr := flag.String("addr", envOr("GO_ORDERS_ADDR", "127.0.0.1:9081"), "HTTP/1.1 and h2c listen address")
	grpcAddr := flag.String("grpc-addr", envOr("GO_ORDERS_GRPC_ADDR", ""), "gRPC listen address (empty: off)")
	tlsCert := flag.String("tls-cert", envOr("GO_ORDERS_TLS_CERT", ""),
		"PEM certificate chain: both listeners then speak TLS only (HTTP: ALPN h2 and http/1.1; gRPC: h2)")
	tlsKey := flag.String("tls-key", envOr("GO_ORDERS_TLS_KEY", ""), "PEM private key of -tls-cert")
	flag.Parse()
	if (*tlsCert == "") != (*tlsKey == "") {
		log.Fatal("go-orders: -tls-cert and -tls-key go together")
	}
	s := newStore()
	if *grpcAddr != "" {
		go serveGRPC(*grpcAddr, s, *tlsCert, *tlsKey)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("go-orders: %v", err)
	}
	if *tlsCert != "" {
		// net/http offers h2 and http/1.1 by ALPN on its own
		server := &http.Server{Addr: *addr, Handler: routes(s)}
		fmt.Printf("go-orders listening on %s (HTTPS: HTTP/1.1 and h2)\n", ln.Addr())
		log.Fatal(server.ServeTLS(ln, *tlsCert, *tlsKey))
	}
	server := &http.Server{Addr: *addr, Handler: h2c.NewHandler(routes(s), &http2.Server{})}
	fmt.Printf("go-orders listening on %s (HTTP/1.1 and h2c)\n", ln.Addr())
	log.Fatal(server.Serve(ln))
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
