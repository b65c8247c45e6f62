package io.tollgate.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chunked-body decoder both HTTP/1.1 paths use, fed the way sockets deliver: in one piece, cut in two at every
 * byte, a byte at a time; and refusing what is malformed.
 */
class ChunkDecoderTest {
    private static final String BODY = "5;ext=1;q=\"x\"\r\nhello\r\n1\r\n \r\nA \t\r\n0123456789\n"
            + "0\r\nX-Trailer: t\r\nbroken trailer\r\nX-Sum:  abc \r\n\r\n";
    private static final String AFTER = "HTTP/1.1 200 OK\r\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code input} cut at the given positions; what the sink got, and where the decoder stopped. */
    private record Fed(String payload, int consumed, ChunkDecoder decoder) {
    }

    private static Fed feed(ChunkDecoder decoder, byte[] input, int... cuts) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int from = 0;
        int consumed = 0;
        for (int i = 0; i <= cuts.length && !decoder.done(); i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            consumed = decoder.feed(input, from, to, payload::write);
            assertThat(consumed).as("consumed of [%d, %d)", from, to).isEqualTo(decoder.done() ? consumed : to);
            from = to;
        }
        return new Fed(payload.toString(StandardCharsets.ISO_8859_1), consumed, decoder);
    }

    @Test
    void aBodyInOnePieceGivesItsPayloadAndTrailersAndStopsAtItsEnd() throws IOException {
        Fed fed = feed(new ChunkDecoder(), bytes(BODY + AFTER));

        assertThat(fed.payload()).isEqualTo("hello 0123456789");
        assertThat(fed.decoder().done()).isTrue();
        assertThat(fed.consumed()).isEqualTo(BODY.length());
        assertThat(fed.decoder().trailers().first("X-Trailer")).isEqualTo("t");
        assertThat(fed.decoder().trailers().first("X-Sum")).isEqualTo("abc");
        assertThat(fed.decoder().trailers().size()).isEqualTo(2);
    }

    @Test
    void aBodyCutInTwoAtEveryByteDecodesTheSame() throws IOException {
        byte[] input = bytes(BODY + AFTER);
        for (int cut = 0; cut <= BODY.length(); cut++) {
            Fed fed = feed(new ChunkDecoder(), input, cut);
            assertThat(fed.payload()).as("cut at %d", cut).isEqualTo("hello 0123456789");
            assertThat(fed.decoder().done()).as("cut at %d", cut).isTrue();
            assertThat(fed.consumed()).as("cut at %d", cut).isEqualTo(BODY.length());
            assertThat(fed.decoder().trailers().all("X-Sum")).as("cut at %d", cut).containsExactly("abc");
        }
    }

    @Test
    void aBodyFedAByteAtATimeDecodesTheSame() throws IOException {
        byte[] input = bytes(BODY);
        int[] cuts = new int[input.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        Fed fed = feed(new ChunkDecoder(), input, cuts);

        assertThat(fed.payload()).isEqualTo("hello 0123456789");
        assertThat(fed.decoder().done()).isTrue();
    }

    @Test
    void noPrefixOfABodyEndsIt() throws IOException {
        byte[] input = bytes(BODY);
        for (int end = 0; end < BODY.length(); end++) {
            ChunkDecoder decoder = new ChunkDecoder();
            assertThat(decoder.feed(input, 0, end, (b, o, l) -> { })).isEqualTo(end);
            assertThat(decoder.done()).as("first %d bytes", end).isFalse();
        }
    }

    @Test
    void resetMakesItReadyForTheNextBody() throws IOException {
        ChunkDecoder decoder = new ChunkDecoder();
        feed(decoder, bytes(BODY));
        decoder.reset();
        Fed second = feed(decoder, bytes("3\r\nabc\r\n0\r\n\r\n"));

        assertThat(second.payload()).isEqualTo("abc");
        assertThat(second.decoder().done()).isTrue();
        assertThat(second.decoder().trailers().size()).isZero();
    }

    @Test
    void malformedFramingIsRefusedAndTheDecoderTakesNothingMore() {
        for (String bad : new String[]{
                "zz\r\nhello\r\n0\r\n\r\n",                 // not hex
                "\r\nhello\r\n0\r\n\r\n",                   // no size
                "1234567890123456\r\n",                     // 16 digits
                "-1\r\n",                                   // a sign
                " 5\r\nhello\r\n0\r\n\r\n",                 // whitespace first
                "5\u0000\r\nhello\r\n0\r\n\r\n",            // control character
                "5\r\nhelloX\r\n0\r\n\r\n",                 // no line end after the data
                "0\r\nX-T: a\rb\r\n\r\n",                   // CR in a trailer
                "0\r\nX-T: v\r\n folded\r\n\r\n",           // folded trailer
                "5;" + "e".repeat(ResponseHead.MAX_HEAD) + "\r\n",   // size line too long
                "0\r\n" + ("X-T: " + "v".repeat(1000) + "\r\n").repeat(70) + "\r\n"}) {   // trailers too large
            ChunkDecoder decoder = new ChunkDecoder();
            byte[] input = bytes(bad);
            assertThatThrownBy(() -> decoder.feed(input, 0, input.length, (b, o, l) -> { }))
                    .as(bad.length() > 40 ? bad.substring(0, 40) : bad).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> decoder.feed(input, 0, input.length, (b, o, l) -> { }))
                    .isInstanceOf(IOException.class).hasMessageContaining("already broke off");
        }
    }

    @Test
    void aLineTooLongIsRefusedBeforeItsEndArrives() throws IOException {
        ChunkDecoder decoder = new ChunkDecoder();
        byte[] piece = bytes("5;" + "e".repeat(ResponseHead.MAX_HEAD / 2));
        decoder.feed(piece, 0, piece.length, (b, o, l) -> { });

        assertThatThrownBy(() -> decoder.feed(piece, 0, piece.length, (b, o, l) -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("too large");
    }

    @Test
    void aSinkThatFailsBreaksTheBody() {
        ChunkDecoder decoder = new ChunkDecoder();
        byte[] input = bytes("5\r\nhello\r\n0\r\n\r\n");

        assertThatThrownBy(() -> decoder.feed(input, 0, input.length, (b, o, l) -> {
            throw new IOException("client went away");
        })).hasMessage("client went away");
        assertThatThrownBy(() -> decoder.feed(input, 0, input.length, (b, o, l) -> { }))
                .hasMessageContaining("already broke off");
    }
}
