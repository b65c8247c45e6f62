package io.tollgate.gateway;

import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A protobuf message as field number → value (Long for varints, String for length-delimited fields), encoded
 * and decoded by hand: the messages of examples/services/go-orders/proto/orders.proto are a few int64 and string
 * fields, and hand encoding keeps protoc out of the Java build.
 */
record ProtoMessage(Map<Integer, Object> fields) {

    static ProtoMessage of(Object... numberThenValue) {
        Map<Integer, Object> fields = new TreeMap<>();
        for (int i = 0; i < numberThenValue.length; i += 2) {
            Object value = numberThenValue[i + 1];
            fields.put((Integer) numberThenValue[i], value instanceof Integer n ? Long.valueOf(n) : value);
        }
        return new ProtoMessage(fields);
    }

    long number(int field) {
        Object v = fields.get(field);
        return v == null ? 0 : (Long) v;
    }

    String text(int field) {
        Object v = fields.get(field);
        return v == null ? "" : (String) v;
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((number, value) -> {
            if (value instanceof Long n) {
                if (n != 0) {
                    varint(out, (long) number << 3);
                    varint(out, n);
                }
            } else {
                byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
                varint(out, ((long) number << 3) | 2);
                varint(out, bytes.length);
                out.writeBytes(bytes);
            }
        });
        return out.toByteArray();
    }

    static ProtoMessage decode(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        Map<Integer, Object> fields = new TreeMap<>();
        while (in.available() > 0) {
            long key = readVarint(in);
            int number = (int) (key >>> 3);
            switch ((int) (key & 7)) {
                case 0 -> fields.put(number, readVarint(in));
                case 2 -> {
                    int length = (int) readVarint(in);
                    byte[] field = new byte[length];
                    if (in.read(field, 0, length) != length) {
                        throw new IllegalArgumentException("truncated field " + number);
                    }
                    fields.put(number, new String(field, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalArgumentException("wire type " + (key & 7) + " not used by orders.proto");
            }
        }
        return new ProtoMessage(fields);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readVarint(ByteArrayInputStream in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalArgumentException("truncated varint");
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    /** The marshaller grpc-java uses for these messages. */
    static final MethodDescriptor.Marshaller<ProtoMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(ProtoMessage value) {
            return new ByteArrayInputStream(value.encode());
        }

        @Override
        public ProtoMessage parse(InputStream stream) {
            try {
                return decode(stream.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static MethodDescriptor<ProtoMessage, ProtoMessage> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<ProtoMessage, ProtoMessage>newBuilder()
                .setType(type)
                .setFullMethodName("tollgate.examples.orders.Orders/" + name)
                .setRequestMarshaller(MARSHALLER)
                .setResponseMarshaller(MARSHALLER)
                .build();
    }
}
