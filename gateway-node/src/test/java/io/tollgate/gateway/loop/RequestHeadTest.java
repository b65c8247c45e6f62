package io.tollgate.gateway.loop;

import io.tollgate.gateway.pipeline.HttpFields;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class RequestHeadTest {

    private static final String CRLF = "\r\n";

    /** A head the loop serves: its request line, then the fields given, each ending in CRLF, then the empty line. */
    private static String head(String requestLine, String... fields) {
        StringBuilder head = new StringBuilder(requestLine).append(CRLF);
        for (String field : fields) {
            head.append(field).append(CRLF);
        }
        return head.append(CRLF).toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static RequestHead parse(String text) {
        byte[] buf = bytes(text);
        return RequestHead.parse(buf, 0, buf.length);
    }

    private static List<String> names(HttpFields fields) {
        List<String> names = new ArrayList<>();
        fields.forEach((name, value) -> names.add(name));
        return names;
    }

    private static List<String> values(HttpFields fields) {
        List<String> values = new ArrayList<>();
        fields.forEach((name, value) -> values.add(value));
        return values;
    }

    private static String repeat(char c, int times) {
        return String.valueOf(c).repeat(times);
    }

    // ---- what is accepted, and what the parsed head says ----

    record Accepted(String description, String head, String method, String rawPath, String rawQuery, String host,
                    boolean close) {
    }

    @TestFactory
    Stream<DynamicTest> plainHeadsAreParsedHere() {
        return Stream.of(
                new Accepted("the smallest head", head("GET / HTTP/1.1", "Host: a"), "GET", "/", null, "a", false),
                new Accepted("raw path and query byte for byte",
                        head("GET /a%2Fb?x=1&x=2&flag HTTP/1.1", "Host: api.example.com"),
                        "GET", "/a%2Fb", "x=1&x=2&flag", "api.example.com", false),
                new Accepted("a '?' with nothing after it has no query", head("GET /p? HTTP/1.1", "Host: a"),
                        "GET", "/p", null, "a", false),
                new Accepted("the query starts after the first '?' and keeps later ones",
                        head("GET /p??x=/y?z HTTP/1.1", "Host: a"), "GET", "/p", "?x=/y?z", "a", false),
                new Accepted("every RFC 3986 character in the target",
                        head("GET /AZaz09-._~!$&'()*+,;=:@/%aF%00?q=AZaz09-._~!$&'()*+,;=:@/?%7e HTTP/1.1", "Host: a"),
                        "GET", "/AZaz09-._~!$&'()*+,;=:@/%aF%00", "q=AZaz09-._~!$&'()*+,;=:@/?%7e", "a", false),
                new Accepted("a path of slashes as sent", head("GET //a/../b/./ HTTP/1.1", "Host: a"),
                        "GET", "//a/../b/./", null, "a", false),
                new Accepted("any token method", head("M-SEARCH /x HTTP/1.1", "Host: a"), "M-SEARCH", "/x", null,
                        "a", false),
                new Accepted("a 20-character method", head(repeat('X', 20) + " / HTTP/1.1", "Host: a"),
                        repeat('X', 20), "/", null, "a", false),
                new Accepted("methods are case-sensitive, taken as sent", head("get / HTTP/1.1", "Host: a"),
                        "get", "/", null, "a", false),
                new Accepted("host field name in any case, value trimmed", head("DELETE /r HTTP/1.1", "hOsT: \t h:8080 \t"),
                        "DELETE", "/r", null, "h:8080", false),
                new Accepted("an IPv6 literal with a port", head("GET / HTTP/1.1", "Host: [::1]:65535"),
                        "GET", "/", null, "[::1]:65535", false),
                new Accepted("an IPv4 address", head("GET / HTTP/1.1", "Host: 10.0.0.1"),
                        "GET", "/", null, "10.0.0.1", false),
                new Accepted("Connection: close", head("GET / HTTP/1.1", "Host: a", "Connection: close"),
                        "GET", "/", null, "a", true),
                new Accepted("Connection: keep-alive", head("GET / HTTP/1.1", "Host: a", "Connection: keep-alive"),
                        "GET", "/", null, "a", false),
                new Accepted("a list of both, any case, OWS around commas",
                        head("GET / HTTP/1.1", "Host: a", "Connection: Keep-Alive ,\tCLOSE"),
                        "GET", "/", null, "a", true),
                new Accepted("close in a second Connection field",
                        head("GET / HTTP/1.1", "Connection: keep-alive", "Host: a", "connection: close"),
                        "GET", "/", null, "a", true),
                new Accepted("fields merely starting like refused names",
                        head("HEAD / HTTP/1.1", "Host: a", "Content-Type: text/plain", "Content-Lengthy: 3",
                                "Upgrade-Insecure-Requests: 1", "Expected: x", "X-Transfer-Encoding: gzip",
                                "Connections: foo", "Hosts: b"),
                        "HEAD", "/", null, "a", false)
        ).map(c -> DynamicTest.dynamicTest(c.description(), () -> {
            RequestHead head = parse(c.head());
            assertThat(head).isNotNull().isNotSameAs(RequestHead.HANDOVER);
            assertThat(head.method()).isEqualTo(c.method());
            assertThat(head.rawPath()).isEqualTo(c.rawPath());
            assertThat(head.rawQuery()).isEqualTo(c.rawQuery());
            assertThat(head.host()).isEqualTo(c.host());
            assertThat(head.close()).isEqualTo(c.close());
            assertThat(head.length()).isEqualTo(c.head().length());
        }));
    }

    @Test
    void fieldsKeepOrderNamesAsSentAndTrimmedValues() {
        RequestHead head = parse(head("GET /x HTTP/1.1",
                "x-lower:v1",
                "Host: example.com",
                "X-Spaces:   inner  space kept \t ",
                "X-Empty:",
                "X-Only-Whitespace: \t ",
                "x-lower: v2",
                "Accept: */*"));

        assertThat(names(head.fields())).containsExactly("x-lower", "Host", "X-Spaces", "X-Empty",
                "X-Only-Whitespace", "x-lower", "Accept");
        assertThat(values(head.fields())).containsExactly("v1", "example.com", "inner  space kept", "", "", "v2",
                "*/*");
        assertThat(head.fields().all("X-LOWER")).containsExactly("v1", "v2");
        assertThat(head.host()).isSameAs(head.fields().first("host"));
    }

    @Test
    void obsTextInValuesIsReadAsIso88591() {
        byte[] buf = bytes(head("GET / HTTP/1.1", "Host: a", "X-Name: caf\u00e9 \u0080\u00ff", "X-Tab: a\tb"));
        assertThat(buf).contains((byte) 0xe9, (byte) 0x80, (byte) 0xff);

        RequestHead head = RequestHead.parse(buf, 0, buf.length);

        assertThat(head.fields().first("X-Name")).isEqualTo("caf\u00e9 \u0080\u00ff");
        assertThat(head.fields().first("X-Tab")).isEqualTo("a\tb");
    }

    @Test
    void usualMethodsAreTheSameStringEachTime() {
        for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")) {
            String first = parse(head(method + " / HTTP/1.1", "Host: a")).method();
            String second = parse(head(method + " / HTTP/1.1", "Host: a")).method();
            assertThat(first).isEqualTo(method).isSameAs(second);
        }
    }

    @Test
    void usualFieldNamesAreTheSameStringEachTimeAndEveryNameIsKeptAsSent() {
        String text = head("GET / HTTP/1.1", "Host: a", "User-Agent: u", "ACCEPT: x", "X-Api-Key: k",
                "x-api-key: k2", "X-API-Key: k3", "Accept-Encodings: e", "Hos: h", "accept-language: l",
                "X-Forwarded-For: f", "traceparent: t", "Traceparent: t2", "If-None-Match: n", "Connectio: c");
        RequestHead first = parse(text);
        RequestHead second = parse(text);

        List<String> sent = List.of("Host", "User-Agent", "ACCEPT", "X-Api-Key", "x-api-key", "X-API-Key",
                "Accept-Encodings", "Hos", "accept-language", "X-Forwarded-For", "traceparent", "Traceparent",
                "If-None-Match", "Connectio");
        assertThat(names(first.fields())).isEqualTo(sent);
        assertThat(names(second.fields())).isEqualTo(sent);
        for (int i : new int[]{0, 1, 4, 5, 8, 9, 10, 12}) {
            assertThat(first.fields().name(i)).as(sent.get(i)).isSameAs(second.fields().name(i));
        }
        assertThat(first.fields().first("x-api-key")).isEqualTo("k");
        assertThat(first.fields().all("X-API-KEY")).containsExactly("k", "k2", "k3");
    }

    // ---- what is handed over ----

    record Refused(String description, String head) {
    }

    @TestFactory
    Stream<DynamicTest> anythingElseIsHandedOver() {
        String ok = "Host: a";
        return Stream.of(
                // request line
                new Refused("HTTP/1.0", head("GET / HTTP/1.0", ok)),
                new Refused("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                new Refused("HTTP/1.2", head("GET / HTTP/1.2", ok)),
                new Refused("lower-case version", head("GET / http/1.1", ok)),
                new Refused("no version", head("GET /", ok)),
                new Refused("two spaces after the method", head("GET  / HTTP/1.1", ok)),
                new Refused("two spaces before the version", head("GET /  HTTP/1.1", ok)),
                new Refused("a trailing space", head("GET / HTTP/1.1 ", ok)),
                new Refused("HTAB as separator", head("GET\t/ HTTP/1.1", ok)),
                new Refused("leading empty line", CRLF + head("GET / HTTP/1.1", ok)),
                new Refused("leading space", head(" GET / HTTP/1.1", ok)),
                new Refused("empty method", head(" / HTTP/1.1", ok)),
                new Refused("a 21-character method", head(repeat('X', 21) + " / HTTP/1.1", ok)),
                new Refused("a method with a separator", head("GE(T / HTTP/1.1", ok)),
                new Refused("a method with a non-ASCII byte", head("G\u00c9T / HTTP/1.1", ok)),
                // target
                new Refused("absolute-form", head("GET http://a/ HTTP/1.1", ok)),
                new Refused("authority-form", head("CONNECT a:443 HTTP/1.1", ok)),
                new Refused("asterisk-form", head("OPTIONS * HTTP/1.1", ok)),
                new Refused("a fragment", head("GET /a#f HTTP/1.1", ok)),
                new Refused("a '%' without hex digits", head("GET /a%zz HTTP/1.1", ok)),
                new Refused("a '%' with one hex digit", head("GET /a%4 HTTP/1.1", ok)),
                new Refused("a '%' with one hex digit in the query", head("GET /a?b=%4g HTTP/1.1", ok)),
                new Refused("a '%' at the end", head("GET /a% HTTP/1.1", ok)),
                new Refused("a backslash", head("GET /a\\b HTTP/1.1", ok)),
                new Refused("square brackets", head("GET /a[0] HTTP/1.1", ok)),
                new Refused("a double quote", head("GET /\"a\" HTTP/1.1", ok)),
                new Refused("a raw non-ASCII byte", head("GET /caf\u00e9 HTTP/1.1", ok)),
                new Refused("a control character", head("GET /a\u0001 HTTP/1.1", ok)),
                new Refused("a DEL", head("GET /a\u007f HTTP/1.1", ok)),
                new Refused("a curly brace in the query", head("GET /a?b={} HTTP/1.1", ok)),
                new Refused("a '|' in the query", head("GET /a?b=1|2 HTTP/1.1", ok)),
                // line endings and folding
                new Refused("bare LF after the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                new Refused("bare LF after a field", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n"),
                new Refused("bare LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
                new Refused("lone CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"),
                new Refused("CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n"),
                new Refused("lone CR as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\rX"),
                new Refused("obs-fold with a space", head("GET / HTTP/1.1", ok, "X-A: b", " c")),
                new Refused("obs-fold with a tab", head("GET / HTTP/1.1", ok, "X-A: b", "\tc")),
                new Refused("whitespace line before the first field", head("GET / HTTP/1.1", " ", ok)),
                // fields
                new Refused("space before the colon", head("GET / HTTP/1.1", ok, "X-A : b")),
                new Refused("tab before the colon", head("GET / HTTP/1.1", ok, "X-A\t: b")),
                new Refused("empty name", head("GET / HTTP/1.1", ok, ": b")),
                new Refused("no colon", head("GET / HTTP/1.1", ok, "X-A b")),
                new Refused("a separator in the name", head("GET / HTTP/1.1", ok, "X(A): b")),
                new Refused("a non-ASCII name", head("GET / HTTP/1.1", ok, "X-\u00c4: b")),
                new Refused("NUL in a value", head("GET / HTTP/1.1", ok, "X-A: a\u0000b")),
                new Refused("a control character in a value", head("GET / HTTP/1.1", ok, "X-A: a\u001bb")),
                new Refused("DEL in a value", head("GET / HTTP/1.1", ok, "X-A: a\u007f")),
                // Host
                new Refused("no Host", head("GET / HTTP/1.1", "Accept: */*")),
                new Refused("no fields at all", head("GET / HTTP/1.1")),
                new Refused("two Host fields", head("GET / HTTP/1.1", ok, "Host: a")),
                new Refused("two Host fields in different case", head("GET / HTTP/1.1", "host: a", "HOST: b")),
                new Refused("an empty Host", head("GET / HTTP/1.1", "Host:")),
                new Refused("a whitespace-only Host", head("GET / HTTP/1.1", "Host:  \t ")),
                new Refused("a Host with a space inside", head("GET / HTTP/1.1", "Host: a b")),
                new Refused("a Host with a path", head("GET / HTTP/1.1", "Host: a/b")),
                new Refused("a Host with user info", head("GET / HTTP/1.1", "Host: u@a")),
                new Refused("a Host with a percent-encoding", head("GET / HTTP/1.1", "Host: a%41")),
                new Refused("a Host with an empty port", head("GET / HTTP/1.1", "Host: a:")),
                new Refused("a Host with a port over 65535", head("GET / HTTP/1.1", "Host: a:65536")),
                new Refused("a Host with a six-digit port", head("GET / HTTP/1.1", "Host: a:000080")),
                new Refused("a Host with a non-numeric port", head("GET / HTTP/1.1", "Host: a:8o")),
                new Refused("a Host that is only a port", head("GET / HTTP/1.1", "Host: :80")),
                new Refused("a Host with two colons", head("GET / HTTP/1.1", "Host: a:1:2")),
                new Refused("an unclosed IP literal", head("GET / HTTP/1.1", "Host: [::1")),
                new Refused("an empty IP literal", head("GET / HTTP/1.1", "Host: []")),
                new Refused("an IPvFuture literal", head("GET / HTTP/1.1", "Host: [v1.x]")),
                new Refused("text after an IP literal", head("GET / HTTP/1.1", "Host: [::1]x")),
                new Refused("a non-ASCII Host", head("GET / HTTP/1.1", "Host: caf\u00e9")),
                // fields the loop leaves to Helidon
                new Refused("Content-Length", head("POST / HTTP/1.1", ok, "Content-Length: 0")),
                new Refused("content-length in lower case", head("GET / HTTP/1.1", ok, "content-length: 5")),
                new Refused("CONTENT-LENGTH in upper case", head("GET / HTTP/1.1", ok, "CONTENT-LENGTH: 5")),
                new Refused("Transfer-Encoding", head("POST / HTTP/1.1", ok, "Transfer-Encoding: chunked")),
                new Refused("transfer-encoding before Host", head("POST / HTTP/1.1", "transfer-ENCODING: chunked", ok)),
                new Refused("Upgrade", head("GET / HTTP/1.1", ok, "Connection: Upgrade", "Upgrade: websocket")),
                new Refused("Upgrade alone", head("GET / HTTP/1.1", ok, "UPGRADE: h2c")),
                new Refused("HTTP2-Settings", head("GET / HTTP/1.1", ok, "http2-settings: AAMAAABkAAQAAP__")),
                new Refused("Expect", head("PUT / HTTP/1.1", ok, "Expect: 100-continue")),
                new Refused("Expect in lower case", head("PUT / HTTP/1.1", ok, "expect: x")),
                // Connection tokens
                new Refused("Connection: upgrade", head("GET / HTTP/1.1", ok, "Connection: upgrade")),
                new Refused("Connection naming a field", head("GET / HTTP/1.1", ok, "Connection: close, X-Secret")),
                new Refused("Connection: TE", head("GET / HTTP/1.1", ok, "Connection: keep-alive", "Connection: TE")),
                new Refused("an empty Connection", head("GET / HTTP/1.1", ok, "Connection:")),
                new Refused("an empty Connection element", head("GET / HTTP/1.1", ok, "Connection: close,,keep-alive")),
                new Refused("a trailing comma in Connection", head("GET / HTTP/1.1", ok, "Connection: close,")),
                new Refused("whitespace inside a Connection token", head("GET / HTTP/1.1", ok, "Connection: keep alive")),
                new Refused("a Connection token merely starting with close", head("GET / HTTP/1.1", ok, "Connection: closed")),
                new Refused("a Connection token merely ending with close", head("GET / HTTP/1.1", ok, "Connection: xclose"))
        ).map(c -> DynamicTest.dynamicTest(c.description(),
                () -> assertThat(parse(c.head())).isSameAs(RequestHead.HANDOVER)));
    }

    @Test
    void aFieldTooManyIsHandedOver() {
        String[] fields = new String[RequestHead.MAX_FIELDS];
        fields[0] = "Host: a";
        for (int i = 1; i < fields.length; i++) {
            fields[i] = "X-F" + i + ": " + i;
        }
        RequestHead hundred = parse(head("GET / HTTP/1.1", fields));
        assertThat(hundred.fields().size()).isEqualTo(100);

        String[] more = Arrays.copyOf(fields, fields.length + 1);
        more[fields.length] = "X-F100: 100";
        assertThat(parse(head("GET / HTTP/1.1", more))).isSameAs(RequestHead.HANDOVER);
    }

    // ---- limits ----

    /** A request line of exactly {@code length} bytes, CRLF included. */
    private static String requestLineOf(int length) {
        String prefix = "GET /";
        String suffix = " HTTP/1.1";
        return prefix + repeat('a', length - 2 - prefix.length() - suffix.length()) + suffix;
    }

    @Test
    void requestLineOf2048BytesIsAcceptedAndOneMoreIsHandedOver() {
        String atLimit = requestLineOf(RequestHead.MAX_REQUEST_LINE);
        assertThat((atLimit + CRLF).length()).isEqualTo(2048);
        assertThat(parse(head(atLimit, "Host: a")).rawPath()).hasSize(2048 - 2 - "GET ".length() - " HTTP/1.1".length());

        assertThat(parse(head(requestLineOf(RequestHead.MAX_REQUEST_LINE + 1), "Host: a")))
                .isSameAs(RequestHead.HANDOVER);
    }

    @Test
    void aRequestLineOverTheLimitIsHandedOverBeforeItEnds() {
        String tooLong = "GET /" + repeat('a', RequestHead.MAX_REQUEST_LINE);
        assertThat(parse(tooLong.substring(0, RequestHead.MAX_REQUEST_LINE - 1))).isNull();
        assertThat(parse(tooLong.substring(0, RequestHead.MAX_REQUEST_LINE))).isSameAs(RequestHead.HANDOVER);
    }

    /** A head of exactly {@code length} bytes, made long by one padding field. */
    private static String headOf(int length) {
        String start = "GET /p HTTP/1.1\r\nHost: a\r\nX-Pad: ";
        String end = "\r\n\r\n";
        return start + repeat('p', length - start.length() - end.length()) + end;
    }

    @Test
    void headOf16384BytesIsAcceptedAndOneMoreIsHandedOver() {
        String atLimit = headOf(RequestHead.MAX_HEAD);
        assertThat(atLimit).hasSize(16384);
        assertThat(parse(atLimit).length()).isEqualTo(16384);
        // what follows the head (a pipelined request) does not count against it
        assertThat(parse(atLimit + head("GET /next HTTP/1.1", "Host: a")).length()).isEqualTo(16384);

        assertThat(parse(headOf(RequestHead.MAX_HEAD + 1))).isSameAs(RequestHead.HANDOVER);
    }

    @Test
    void anIncompleteHeadIsWaitedForUpToTheLimitAndThenHandedOver() {
        String endless = headOf(RequestHead.MAX_HEAD + 100);
        assertThat(parse(endless.substring(0, RequestHead.MAX_HEAD - 1))).isNull();
        assertThat(parse(endless.substring(0, RequestHead.MAX_HEAD))).isSameAs(RequestHead.HANDOVER);
        assertThat(parse(endless)).isSameAs(RequestHead.HANDOVER);
        // the limit is one byte short of the final LF
        String oneOver = headOf(RequestHead.MAX_HEAD + 1);
        assertThat(parse(oneOver.substring(0, RequestHead.MAX_HEAD))).isSameAs(RequestHead.HANDOVER);
    }

    // ---- heads arriving in pieces, pipelined heads, buffer bounds ----

    @Test
    void everyPrefixOfAHeadIsIncompleteAndTheWholeOneParses() {
        for (String text : List.of(
                head("GET /a%2Fb?x=1&x=2&flag HTTP/1.1", "Host: [::1]:8080", "Connection: keep-alive, close",
                        "X-Obs: caf\u00e9", "X-Empty:", "Accept: */*"),
                head("OPTIONS /%41 HTTP/1.1", "X-First: \t1\t", "host:a"))) {
            byte[] buf = bytes(text);
            for (int to = 0; to < buf.length; to++) {
                assertThat(RequestHead.parse(buf, 0, to)).as("first %d bytes of %s", to, text).isNull();
            }
            RequestHead head = RequestHead.parse(buf, 0, buf.length);
            assertThat(head).isNotNull().isNotSameAs(RequestHead.HANDOVER);
            assertThat(head.length()).isEqualTo(buf.length);
        }
    }

    @Test
    void aHeadThatCannotBeServedIsHandedOverAsSoonAsTheOffendingByteArrives() {
        // prefixes with nothing after the offending byte: no more bytes could make them acceptable
        for (String prefix : List.of("G(", " ", "\r", "GET  ", "GET *", "GET /#", "GET /%g", "GET /%4g", "GET / X",
                "GET / HTTP/1.0", "GET / HTTP/1.1\n", "GET / HTTP/1.1\r\r", "GET / HTTP/1.1\r\n ",
                "GET / HTTP/1.1\r\nX :", "GET / HTTP/1.1\r\nX: \u0000", "GET / HTTP/1.1\r\nX: a\rb",
                "GET / HTTP/1.1\r\nContent-Length:", "GET / HTTP/1.1\r\nHost: a\r\nhost:",
                "GET / HTTP/1.1\r\nHost: a b\r\n", "GET / HTTP/1.1\r\nConnection: upgrade\r\n")) {
            assertThat(parse(prefix)).as(prefix).isSameAs(RequestHead.HANDOVER);
        }
    }

    @Test
    void pipelinedHeadsAreParsedOneAfterTheOther() {
        String first = head("GET /one?a=1 HTTP/1.1", "Host: a");
        String second = head("HEAD /two HTTP/1.1", "Host: b", "Connection: close");
        String third = "GET /three HTTP/1.1\r\nHost: c\r\n";   // not complete yet
        byte[] buf = bytes(first + second + third);

        RequestHead one = RequestHead.parse(buf, 0, buf.length);
        assertThat(one.length()).isEqualTo(first.length());
        assertThat(one.rawPath()).isEqualTo("/one");
        assertThat(one.rawQuery()).isEqualTo("a=1");
        assertThat(one.fields().size()).isEqualTo(1);

        RequestHead two = RequestHead.parse(buf, one.length(), buf.length);
        assertThat(two.length()).isEqualTo(second.length());
        assertThat(two.method()).isEqualTo("HEAD");
        assertThat(two.host()).isEqualTo("b");
        assertThat(two.close()).isTrue();

        assertThat(RequestHead.parse(buf, one.length() + two.length(), buf.length)).isNull();
    }

    @Test
    void onlyTheBytesBetweenFromAndToAreRead() {
        String text = head("GET /x HTTP/1.1", "Host: a");
        // junk before 'from'; after 'to' the missing last LF and then a complete head, neither of which may be used
        byte[] buf = bytes("junk\r\n\r\n" + text + head("GET /y HTTP/1.1", "Host: b"));
        int from = "junk\r\n\r\n".length();

        assertThat(RequestHead.parse(buf, from, from + text.length() - 1)).isNull();
        RequestHead head = RequestHead.parse(buf, from, from + text.length());
        assertThat(head.rawPath()).isEqualTo("/x");
        assertThat(head.length()).isEqualTo(text.length());
    }

    // ---- cost ----

    /**
     * Not a benchmark (those print figures): a guard against a parse that copies the buffer, builds Strings per
     * byte or throws internally. A typical head's own Strings, field list and head object are well under 2 KB.
     */
    @Test
    void parsingATypicalHeadAllocatesLittle() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()).isTrue();
        byte[] buf = bytes(head("GET /v1/orders/12345?expand=items&limit=20 HTTP/1.1",
                "Host: api.example.com",
                "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
                "Accept: application/json",
                "Accept-Encoding: gzip, deflate, br",
                "Accept-Language: en-US,en;q=0.9",
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
                "X-Request-Id: 0f8fad5b-d9cb-469f-a165-70867728950e",
                "Connection: keep-alive"));
        int rounds = 20_000;
        int fields = 0;
        for (int i = 0; i < rounds; i++) {   // warm up: the measured parse runs compiled, as on the loop
            fields += RequestHead.parse(buf, 0, buf.length).fields().size();
        }
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < rounds; i++) {
            fields += RequestHead.parse(buf, 0, buf.length).fields().size();
        }
        long perParse = (threads.getThreadAllocatedBytes(thread) - before) / rounds;

        assertThat(fields).isEqualTo(2 * rounds * 8);
        assertThat(perParse).as("bytes allocated per parse of a %d-byte head", buf.length).isLessThan(2048);
    }
}
