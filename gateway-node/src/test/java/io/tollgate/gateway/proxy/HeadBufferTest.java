package io.tollgate.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HeadBufferTest {
    private static String text(HeadBuffer head) {
        return new String(head.bytes(), 0, head.length(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aHeadIsRequestLineHostFieldsAndTheBlankLine() {
        HeadBuffer head = new HeadBuffer();
        head.startRequest("GET", "/a%2Fb?x=1", "upstream.test:8080");
        head.field("Accept", "*/*");
        head.end();

        assertThat(text(head)).isEqualTo("GET /a%2Fb?x=1 HTTP/1.1\r\nHost: upstream.test:8080\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void startingAnotherRequestForgetsTheLastOne() {
        HeadBuffer head = new HeadBuffer();
        head.startRequest("POST", "/first", "a");
        head.field("X-Old", "1");
        head.end();
        head.startRequest("GET", "/second", "b");
        head.end();

        assertThat(text(head)).isEqualTo("GET /second HTTP/1.1\r\nHost: b\r\n\r\n");
    }

    @Test
    void aHeadLargerThanTheFirstBufferGrowsItAndKeepsEveryByte() {
        HeadBuffer head = new HeadBuffer();
        String big = "v".repeat(5000);
        head.startRequest("GET", "/", "h");
        head.field("X-Big", big);
        head.end();
        byte[] body = "body\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        head.append(body, 0, body.length);

        assertThat(text(head)).isEqualTo("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + big + "\r\n\r\nbody\u00e9");
    }

    @Test
    void eachCharacterIsWrittenAsItsLowByte() {
        HeadBuffer head = new HeadBuffer();
        head.startRequest("GET", "/caf\u00e9", "h");
        head.field("X-Name", "\u00ff\u0080 \t\u0141");
        head.end();

        byte[] expected = ("GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\nX-Name: \u00ff\u0080 \t\u0041\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(java.util.Arrays.copyOf(head.bytes(), head.length())).isEqualTo(expected);
    }
}
