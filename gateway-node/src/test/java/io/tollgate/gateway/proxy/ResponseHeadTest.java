package io.tollgate.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The response-head rules both HTTP/1.1 paths share, as tables: what each head parses to, and what each malformed
 * one is refused with. Plus the incremental contract: no prefix of a head is mistaken for a whole one.
 */
class ResponseHeadTest {
    private static final int NO_BODY = UpstreamResponse.NO_BODY;
    private static final int FIXED = UpstreamResponse.FIXED;
    private static final int CHUNKED = UpstreamResponse.CHUNKED;
    private static final int UNTIL_CLOSE = UpstreamResponse.UNTIL_CLOSE;

    /** A head, the request it answers, and what it must parse to. */
    private record Parsed(String name, String head, boolean headRequest, boolean upgrade, int status, int framing,
                          long length, boolean keepAlive) {
    }

    private static final List<Parsed> PARSED = List.of(
            new Parsed("content length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, false,
                    200, FIXED, 5, true),
            new Parsed("zero content length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, false,
                    200, FIXED, 0, true),
            new Parsed("repeated equal content length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3"
                    + "\r\n\r\n", false, false, 200, FIXED, 3, true),
            new Parsed("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, false,
                    200, CHUNKED, -1, true),
            new Parsed("chunked last of codings", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n", false, false, 200, CHUNKED, -1, true),
            new Parsed("chunked not last: until close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                    false, false, 200, UNTIL_CLOSE, -1, false),
            new Parsed("transfer encoding wins over content length", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n", false, false, 200, CHUNKED, -1, false),
            new Parsed("neither: until close", "HTTP/1.1 200 OK\r\n\r\n", false, false, 200, UNTIL_CLOSE, -1, false),
            new Parsed("HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true, false,
                    200, NO_BODY, -1, true),
            new Parsed("204 has no body", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", false,
                    false, 204, NO_BODY, -1, true),
            new Parsed("304 has no body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", false, false,
                    304, NO_BODY, -1, true),
            new Parsed("connection close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1"
                    + "\r\n\r\n", false, false, 200, FIXED, 1, false),
            new Parsed("HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, false,
                    200, FIXED, 1, false),
            new Parsed("HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1"
                    + "\r\n\r\n", false, false, 200, FIXED, 1, true),
            new Parsed("bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\n", false, false, 200, FIXED, 2, true),
            new Parsed("no reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n", false, false, 200, FIXED, 2, true),
            new Parsed("interim answers skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                    + "Link: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n", false, false,
                    201, FIXED, 1, true),
            new Parsed("101 when an upgrade was asked", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Content-Length: 5\r\n\r\n", false, true, 101, NO_BODY, -1, false));

    /** A head and the message it must be refused with. */
    private record Refused(String name, String head, boolean upgrade, String message) {
    }

    private static final List<Refused> REFUSED = List.of(
            new Refused("short status line", "HTTP/1.1 20\r\n\r\n", false, "malformed status line"),
            new Refused("not HTTP/1.x", "HTTP/2.0 200 OK\r\n\r\n", false, "malformed status line"),
            new Refused("no space after code", "HTTP/1.1 200OK\r\n\r\n", false, "malformed status line"),
            new Refused("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", false, "unsupported HTTP version"),
            new Refused("letters for a code", "HTTP/1.1 2x0 OK\r\n\r\n", false, "malformed status code"),
            new Refused("code below 100", "HTTP/1.1 099 Odd\r\n\r\n", false, "malformed status code"),
            new Refused("field without colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", false, "malformed header field"),
            new Refused("empty field name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n", false, "malformed header field"),
            new Refused("space before colon", "HTTP/1.1 200 OK\r\nX-A : v\r\n\r\n", false, "malformed header field"),
            new Refused("obs-fold", "HTTP/1.1 200 OK\r\nX-A: v\r\n  more\r\n\r\n", false, "malformed response head"),
            new Refused("CR in a value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", false, "malformed response head"),
            new Refused("NUL in a value", "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n", false,
                    "malformed response head"),
            new Refused("DEL in a value", "HTTP/1.1 200 OK\r\nX-A: a\u007fb\r\n\r\n", false,
                    "malformed response head"),
            new Refused("bad content length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", false,
                    "malformed Content-Length"),
            new Refused("negative content length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false,
                    "malformed Content-Length"),
            new Refused("huge content length", "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
                    false, "malformed Content-Length"),
            new Refused("conflicting content lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2"
                    + "\r\n\r\n", false, "conflicting Content-Length"),
            new Refused("101 unasked", "HTTP/1.1 101 Switching Protocols\r\n\r\n", false, "switched protocols unasked"),
            new Refused("too large in one line", "HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(ResponseHead.MAX_HEAD)
                    + "\r\n\r\n", false, "too large"),
            new Refused("too large over interim heads", ("HTTP/1.1 103 Early Hints\r\nLink: " + "l".repeat(30_000)
                    + "\r\n\r\n").repeat(3) + "HTTP/1.1 200 OK\r\n\r\n", false, "too large"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void eachHeadParsesToItsStatusFramingAndKeepAlive() throws IOException {
        for (Parsed row : PARSED) {
            byte[] head = bytes(row.head() + "BODY");
            ResponseHead parsed = ResponseHead.parse(head, 0, head.length, row.headRequest(), row.upgrade());
            assertThat(parsed).as(row.name()).isNotNull();
            assertThat(parsed.status()).as(row.name()).isEqualTo(row.status());
            assertThat(parsed.framing()).as(row.name()).isEqualTo(row.framing());
            assertThat(parsed.length()).as(row.name()).isEqualTo(row.length());
            assertThat(parsed.keepAlive()).as(row.name()).isEqualTo(row.keepAlive());
            assertThat(parsed.consumed()).as(row.name()).isEqualTo(row.head().length());
        }
    }

    @Test
    void eachMalformedHeadIsRefused() {
        for (Refused row : REFUSED) {
            byte[] head = bytes(row.head());
            assertThatThrownBy(() -> ResponseHead.parse(head, 0, head.length, false, row.upgrade()))
                    .as(row.name()).isInstanceOf(IOException.class).hasMessageContaining(row.message());
        }
    }

    @Test
    void fieldsAreKeptInOrderWithValuesStrippedAndContentLengthDroppedForTransferEncoding() throws IOException {
        byte[] head = bytes("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 3\r\nX-A:\t 2 \r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        ResponseHead parsed = ResponseHead.parse(head, 0, head.length, false, false);

        assertThat(parsed.fields().all("x-a")).containsExactly("1", "2");
        assertThat(parsed.fields().contains("Content-Length")).isFalse();
        assertThat(parsed.fields().first("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void eachFieldIsItsNameAndItsValueWithoutSurroundingWhitespace() throws IOException {
        List<String> lines = List.of("X-A:v", "X-B:   ", "X-C:", "X-D: \t a b \t ", "X-E:\tcaf\u00e9 \u00a0",
                "X-F: a:b: c ", "!#$%&'*+-.^_`|~09azAZ: token symbols", "X-G: HTTP/1.1 200 OK", "X-H:\u00ff\u0080",
                "Set-Cookie: a=1; Path=/");
        StringBuilder head = new StringBuilder("HTTP/1.0 299\r\n");
        for (int i = 0; i < lines.size(); i++) {
            head.append(lines.get(i)).append(i % 2 == 0 ? "\r\n" : "\n");
        }
        byte[] buf = bytes(head.append("\r\nbody").toString());

        ResponseHead parsed = ResponseHead.parse(buf, 0, buf.length, false, false);

        assertThat(parsed.status()).isEqualTo(299);
        assertThat(parsed.keepAlive()).isFalse();
        assertThat(parsed.consumed()).isEqualTo(buf.length - 4);
        assertThat(parsed.fields().size()).isEqualTo(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int colon = line.indexOf(':');
            assertThat(parsed.fields().name(i)).isEqualTo(line.substring(0, colon));
            assertThat(parsed.fields().value(i)).as(line).isEqualTo(line.substring(colon + 1).strip());
        }
    }

    @Test
    void aFieldNameThatIsNoTokenIsRefused() {
        for (String field : List.of("X\u00e9: v", "X/Y: v", "X\tY: v", "\"X\": v", "(X): v", "X,Y: v")) {
            byte[] buf = bytes("HTTP/1.1 200 OK\r\n" + field + "\r\n\r\n");
            assertThatThrownBy(() -> ResponseHead.parse(buf, 0, buf.length, false, false)).as(field)
                    .isInstanceOf(IOException.class).hasMessageContaining("malformed header field");
        }
    }

    @Test
    void theStatusLineIsCheckedWhereverTheHeadStarts() throws IOException {
        byte[] buf = bytes("xxHTTP/1.1 404 Not Found\r\n\r\nHTTP/1.1 20 OK\r\n\r\nHTTP/1.x 200 OK\r\n\r\n");

        ResponseHead parsed = ResponseHead.parse(buf, 2, buf.length, false, false);
        assertThat(parsed.status()).isEqualTo(404);
        int second = 2 + parsed.consumed();
        assertThatThrownBy(() -> ResponseHead.parse(buf, second, buf.length, false, false))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed status line");
        int third = second + "HTTP/1.1 20 OK\r\n\r\n".length();
        assertThatThrownBy(() -> ResponseHead.parse(buf, third, buf.length, false, false))
                .isInstanceOf(IOException.class).hasMessageContaining("unsupported HTTP version");
    }

    @Test
    void theHeadIsReadFromWhereItStartsInTheBuffer() throws IOException {
        String head = "HTTP/1.1 204 No Content\r\n\r\n";
        byte[] buf = bytes("leftover" + head + "next");
        ResponseHead parsed = ResponseHead.parse(buf, 8, buf.length - 2, false, false);

        assertThat(parsed.status()).isEqualTo(204);
        assertThat(parsed.consumed()).isEqualTo(head.length());
    }

    @Test
    void noPrefixOfAHeadIsTakenForAWholeOne() throws IOException {
        String head = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: v\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        byte[] buf = bytes(head + "2\r\nok\r\n0\r\n\r\n");
        for (int end = 0; end < head.length(); end++) {
            assertThat(ResponseHead.parse(buf, 0, end, false, false)).as("first %d bytes", end).isNull();
        }
        ResponseHead whole = ResponseHead.parse(buf, 0, head.length(), false, false);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.framing()).isEqualTo(CHUNKED);
        assertThat(whole.consumed()).isEqualTo(head.length());
    }

    @Test
    void anIncompleteHeadPastTheLimitIsRefusedWithoutWaitingForMore() {
        byte[] buf = bytes("HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(ResponseHead.MAX_HEAD));

        assertThatThrownBy(() -> ResponseHead.parse(buf, 0, buf.length, false, false))
                .isInstanceOf(IOException.class).hasMessageContaining("too large");
    }

    @Test
    void aMalformedStatusLineIsRefusedBeforeTheRestArrives() {
        byte[] buf = bytes("HTTP/1.1 abc\r\nX-A: ");

        assertThatThrownBy(() -> ResponseHead.parse(buf, 0, buf.length, false, false))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed status");
    }
}
