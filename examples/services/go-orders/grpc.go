package main

import (
	"context"
	"fmt"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
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

func (s *ordersServer) GetOrder(ctx context.Context, req *orderspb.GetOrderRequest) (*orderspb.Order, error) {
	s.store.mu.Lock()
	o, ok := s.store.orders[int(req.Id)]
	s.store.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no order %d", req.Id)
	}
	return &orderspb.Order{Id: int64(o.ID), Item: o.Item, Quantity: int64(o.Quantity), RequestId: requestID(ctx)}, nil
}

func (s *ordersServer) CreateOrder(ctx context.Context, req *orderspb.CreateOrderRequest) (*orderspb.Order, error) {
	if req.Item == "" {
		return nil, status.Error(codes.InvalidArgument, "item is required")
	}
	o := s.store.add(order{Item: req.Item, Quantity: int(req.Quantity)})
	return &orderspb.Order{Id: int64(o.ID), Item: o.Item, Quantity: int64(o.Quantity), RequestId: requestID(ctx)}, nil
}

func serveGRPC(addr string, s *store) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("go-orders grpc: %v", err)
	}
	server := grpc.NewServer()
	orderspb.RegisterOrdersServer(server, &ordersServer{store: s})
	fmt.Printf("go-orders gRPC listening on %s\n", ln.Addr())
	log.Fatal(server.Serve(ln))
}
