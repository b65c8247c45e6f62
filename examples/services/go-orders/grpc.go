package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"tollgate.example/go-orders/orderspb"
)

type ordersServer struct {
	orderspb.UnimplementedOrdersServer
	store *store
}

func requestID(ctx context.Context) string {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("x-request-id"); len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (s *ordersServer) pb(ctx context.Context, o order) *orderspb.Order {
	return &orderspb.Order{Id: int64(o.ID), Item: o.Item, Quantity: int64(o.Quantity), RequestId: requestID(ctx)}
}

func (s *ordersServer) GetOrder(ctx context.Context, req *orderspb.GetOrderRequest) (*orderspb.Order, error) {
	if req.DelayMs > 0 {
		select {
		case <-time.After(time.Duration(req.DelayMs) * time.Millisecond):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	s.store.mu.Lock()
	o, ok := s.store.orders[int(req.Id)]
	s.store.mu.Unlock()
	if !ok {
		grpc.SetHeader(ctx, metadata.Pairs("x-order-lookup", "miss"))
		grpc.SetTrailer(ctx, metadata.Pairs("x-order-detail", fmt.Sprintf("searched %d orders", len(s.store.orders))))
		return nil, status.Errorf(codes.NotFound, "no order %d", req.Id)
	}
	return s.pb(ctx, o), nil
}

func (s *ordersServer) CreateOrder(ctx context.Context, req *orderspb.CreateOrderRequest) (*orderspb.Order, error) {
	if req.Item == "" {
		return nil, status.Error(codes.InvalidArgument, "item is required")
	}
	return s.pb(ctx, s.store.add(order{Item: req.Item, Quantity: int(req.Quantity)})), nil
}

func (s *ordersServer) WatchOrders(req *orderspb.WatchOrdersRequest, stream orderspb.Orders_WatchOrdersServer) error {
	for i := int64(0); i < req.Count; i++ {
		if i > 0 && req.IntervalMs > 0 {
			select {
			case <-time.After(time.Duration(req.IntervalMs) * time.Millisecond):
			case <-stream.Context().Done():
				return status.FromContextError(stream.Context().Err()).Err()
			}
		}
		o := order{ID: int(i + 1), Item: fmt.Sprintf("watched-%d", i+1), Quantity: 1}
		if err := stream.Send(s.pb(stream.Context(), o)); err != nil {
			return err
		}
	}
	stream.SetTrailer(metadata.Pairs("x-watch-sent", fmt.Sprint(req.Count)))
	return nil
}

func (s *ordersServer) CreateOrders(stream orderspb.Orders_CreateOrdersServer) error {
	summary := &orderspb.OrderSummary{}
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(summary)
		}
		if err != nil {
			return err
		}
		s.store.add(order{Item: req.Item, Quantity: int(req.Quantity)})
		summary.Count++
		summary.TotalQuantity += req.Quantity
	}
}

func (s *ordersServer) TradeOrders(stream orderspb.Orders_TradeOrdersServer) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		o := s.store.add(order{Item: req.Item, Quantity: int(req.Quantity)})
		if err := stream.Send(s.pb(stream.Context(), o)); err != nil {
			return err
		}
	}
}

// serveGRPC serves gRPC in cleartext (h2c), or over TLS when certFile and keyFile name a PEM pair
// (grpc-go then insists on ALPN h2, as clients must offer it).
func serveGRPC(addr string, s *store, certFile, keyFile string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("go-orders grpc: %v", err)
	}
	var options []grpc.ServerOption
	mode := "h2c"
	if certFile != "" {
		creds, err := credentials.NewServerTLSFromFile(certFile, keyFile)
		if err != nil {
			log.Fatalf("go-orders grpc: TLS certificate: %v", err)
		}
		options = append(options, grpc.Creds(creds))
		mode = "TLS"
	}
	server := grpc.NewServer(options...)
	orderspb.RegisterOrdersServer(server, &ordersServer{store: s})
	// grpc.health.v1.Health/Check answers SERVING, for the gateway's active health checks
	healthpb.RegisterHealthServer(server, health.NewServer())
	fmt.Printf("go-orders gRPC listening on %s (%s)\n", ln.Addr(), mode)
	log.Fatal(server.Serve(ln))
}
