package io.tollgate.gateway.loop;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.common.problem.ProblemWriter;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.route.RouteMatcher;
import io.tollgate.gateway.snapshot.Snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection on an event loop. Requests are read one at a time: a head the loop serves
 * ({@link RequestHead}) on a route it serves ({@link Forwarder#serves}) runs through the pipeline on the loop
 * thread, is forwarded without blocking and answered from the loop; anything else hands the connection, with the
 * bytes not consumed yet, to Helidon ({@link Handover}) before the request had any effect. While a request is in
 * flight nothing more is read (pipelined requests wait in the buffer, answered in order).
 *
 * <p>The answer is written as Helidon's HTTP/1.1 answers are: the exchange's own fields (request id, rate limit
 * state) first, then the upstream's; {@code Content-Length} when the length is known, else chunked; {@code Date}
 * on the gateway's own answers; {@code Connection: close} when the client asked for it or the node is draining.
 */
final class ClientConnection implements EventLoop.Handler, BodySink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
    /** A head longer than RequestHead's limit must still fit, so that the parser can say it is too long. */
    private static final int IN_BUFFER = 20 * 1024;
    /** Body bytes queued for the client beyond which the upstream is not read until the client caught up. */
    private static final int HIGH_WATER = 256 * 1024;
    private static final int SHRINK_ABOVE = 64 * 1024;
    /** Answers with a known length up to this are sent only once whole (GatewayHandler.SMALL_BODY likewise). */
    private static final int SMALL_BODY = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final FrontDoor door;
    private final EventLoop loop;
    private final SocketChannel channel;
    private final String clientAddress;
    private SelectionKey key;

    private final byte[] in = new byte[IN_BUFFER];
    private final ByteBuffer inBuffer = ByteBuffer.wrap(in);
    private int inStart;
    private int inEnd;

    private byte[] out = new byte[4096];
    private ByteBuffer outBuffer = ByteBuffer.wrap(out);
    private int outStart;
    private int outEnd;

    /** The request in flight, or null between requests. */
    private Exchange exchange;
    private boolean closeAfter;
    private boolean chunked;
    private long bodyBytes;
    private int status;
    private LoopBody streaming;
    private boolean backedUp;
    private boolean ending;
    private boolean closed;
    /** The route {@link #servedHere} found for the request about to be served, or null. */
    private RouteMatcher.Match match;
    /** The request in flight waits for the forwarder's answer, which will come (every wait has a timeout). */
    private boolean awaitingUpstream;
    /** Whether the request in flight counted itself in the drain (a refused one did not). */
    private boolean entered;
    /** The answer's head and small body are held until the body is whole ({@link #SMALL_BODY}). */
    private boolean holding;
    /** Since when the connection has had nothing to do (no request, no bytes of one). */
    private long idleSinceNanos = System.nanoTime();
    /** When the first bytes of the head now being read arrived. */
    private long headStartedNanos;
    /** When the client last took bytes of the answer being written. */
    private long lastWriteNanos;
    /** The parser has looked at the head being read already; {@link #scanned}: bytes before it hold no head end. */
    private boolean looked;
    private int scanned;

    ClientConnection(FrontDoor door, EventLoop loop, SocketChannel channel, String clientAddress) {
        this.door = door;
        this.loop = loop;
        this.channel = channel;
        this.clientAddress = clientAddress;
    }

    /** Registers with the loop and starts reading; loop thread. */
    void start() {
        try {
            key = loop.register(channel, SelectionKey.OP_READ, this);
        } catch (IOException e) {
            close();
            return;
        }
        loop.own(this);
        door.opened(loop, this);
    }

    /**
     * Whether the connection overstayed (loop thread): idle between requests for {@code idleNanos}; a request head
     * still incomplete {@code headNanos} after its first bytes (a client trickling a head must not hold a
     * connection, nor the parser's time, without end); or an answer the client has taken nothing of for
     * {@code idleNanos} (a client that stopped reading must not pin its upstream connection and the drain).
     */
    boolean overdue(long now, long idleNanos, long headNanos) {
        if (exchange == null) {
            return inEnd > inStart ? now - headStartedNanos > headNanos : now - idleSinceNanos > idleNanos;
        }
        // a small answer held until whole waits on the upstream, whose read timeout bounds that wait, not on us
        return !holding && outEnd > outStart && now - lastWriteNanos > idleNanos;
    }

    @Override
    public void ready(SelectionKey key) {
        if (closed) {
            return;
        }
        if (key.isWritable()) {
            writeOut();
            if (closed) {
                return;
            }
        }
        if (key.isValid() && key.isReadable()) {
            if (exchange == null) {
                readIn();
            } else {
                // more from the client while a request is in flight (pipelined, or its close): it waits in the
                // socket until this answer is out. Interest changes cost a system call each, so reading stays on
                // between requests and is only switched off when this actually happens.
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // requests
    // ------------------------------------------------------------------------------------------------------------

    private void readIn() {
        compact();
        int n;
        try {
            inBuffer.limit(in.length).position(inEnd);
            n = channel.read(inBuffer);
        } catch (IOException e) {
            close();
            return;
        }
        if (n < 0) {
            close();
            return;
        }
        if (inStart == inEnd) {
            headStartedNanos = System.nanoTime();   // the first bytes of a new request head
            looked = false;
        }
        inEnd += n;
        nextRequest();
    }

    /** Moves the unconsumed bytes to the front when the buffer is full. */
    private void compact() {
        if (inEnd == in.length && inStart > 0) {
            System.arraycopy(in, inStart, in, 0, inEnd - inStart);
            scanned -= inStart;
            inEnd -= inStart;
            inStart = 0;
        }
    }

    /**
     * Whether the bytes from {@code inStart} hold the blank line that ends a head (CRLF CRLF, or bare LFs, which
     * the parser hands over). Scans each byte once however the head trickles in: a head sent a byte at a time must
     * not be parsed again from its start on every read.
     */
    private boolean headEnded() {
        for (int i = Math.max(inStart + 1, scanned); i < inEnd; i++) {
            if (in[i] == '\n' && (in[i - 1] == '\n' || (in[i - 1] == '\r' && i - 2 >= inStart && in[i - 2] == '\n'))) {
                return true;
            }
        }
        scanned = inEnd;
        return false;
    }

    /** Serves the next request in the buffer, if a whole head is there. */
    private void nextRequest() {
        if (inStart == inEnd) {
            inStart = 0;
            inEnd = 0;
            scanned = 0;
            return;
        }
        // The parser runs on a head's first bytes (which hand over early: HTTP/2, TLS, HTTP/1.0, garbage) and once
        // the head is whole or the buffer full; in between, only the new bytes are scanned for its end.
        if (looked && !headEnded() && inEnd < in.length) {
            return;
        }
        looked = true;
        RequestHead head = RequestHead.parse(in, inStart, inEnd);
        if (head == null) {
            if (inEnd == in.length && inStart == 0) {
                handOver();   // cannot happen with the parser's limit below the buffer, but never spin
            } else {
                compact();
            }
            return;
        }
        // one snapshot for the decision and the request: a route that changed in between must not slip through
        Snapshot snapshot = door.snapshots().current();
        if (head == RequestHead.HANDOVER || !servedHere(head, snapshot)) {
            handOver();
            return;
        }
        inStart += head.length();
        scanned = inStart;
        looked = false;
        headStartedNanos = System.nanoTime();   // pipelined bytes, if any, begin the next head now
        serve(head, snapshot);
    }

    /** Whether the request's route (if any) is one the loop forwards; no route is answered here (404). */
    private boolean servedHere(RequestHead head, Snapshot snapshot) {
        match = snapshot == null ? null : snapshot.routes().match(head.host(), head.method(), head.rawPath());
        return match == null || door.forwarder().serves(match.route());
    }

    private void serve(RequestHead head, Snapshot snapshot) {
        long start = System.nanoTime();
        if (!door.drain().enter()) {
            // shutting down: as GatewayHandler refuses, the client should go to another node
            closeAfter = true;
            exchange = new Exchange(head.method(), head.rawPath(), head.rawQuery(), head.host(), "http",
                    clientAddress, head.fields(), InputStream.nullInputStream(), -1, false, start, null);
            answerProblem(Problem.of(ProblemType.UNAVAILABLE, null), false);
            return;
        }
        entered = true;   // from here on, however the exchange ends, it leaves the drain once (finishExchange)
        closeAfter = head.close();
        Exchange current = new Exchange(head.method(), head.rawPath(), head.rawQuery(), head.host(), "http",
                clientAddress, head.fields(), InputStream.nullInputStream(), -1, false, start, snapshot);
        current.forwardLater();
        if (match != null) {
            // found above in the same snapshot: RouteFilter takes it as found rather than matching again
            current.route(match.route(), match.prefix(), snapshot.tenants().get(match.route().tenantId()));
            match = null;
        }
        exchange = current;
        Response response;
        try {
            response = door.pipeline().run(current);
        } catch (RuntimeException e) {
            failedInside(current, e);
            response = Response.problem(Problem.of(ProblemType.INTERNAL, null));
        }
        if (response.isDeferred()) {
            forward(current, response);
        } else {
            respond(response, true);
        }
    }

    /** Has the forwarder get the upstream's answer to {@code current}, the pipeline's {@code deferred} response. */
    private void forward(Exchange current, Response deferred) {
        awaitingUpstream = true;
        boolean[] answered = {false};   // this request's own: awaitingUpstream may be a pipelined one's by then
        try {
            door.forwarder().forward(current, loop, answer -> {
                answered[0] = true;
                awaitingUpstream = false;
                try {
                    deferred.resolve(answer);
                    respond(answer, true);
                } catch (RuntimeException e) {
                    // writing the answer failed, part of it possibly sent: the client sees a cut connection and
                    // the exchange is recorded as aborted, rather than a connection left waiting for the rest
                    failedInside(current, e);
                    discard(answer);   // a body not streamed yet still holds its upstream connection
                    close();
                }
            });
        } catch (RuntimeException e) {
            if (answered[0]) {
                throw e;   // answered already: the forwarder's trouble came after, and it is its to report
            }
            // the forwarder failed before it could answer: no answer would ever come
            awaitingUpstream = false;
            failedInside(current, e);
            respond(Response.problem(Problem.of(ProblemType.INTERNAL, null)), true);
        }
    }

    private static void failedInside(Exchange current, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "request " + current.requestId() + " failed inside the gateway", e);
    }

    private void respond(Response response, boolean entered) {
        lastWriteNanos = System.nanoTime();   // the client's time to take the answer starts now
        if (closed) {
            // the client went away while the upstream answered
            discard(response);
            status = response.status();
            finishExchange(true, entered);
            return;
        }
        if (door.drain().unready()) {
            closeAfter = true;
        }
        if (response.isProblem()) {
            answerProblem(response.problem(), entered);
            return;
        }
        writeAnswer(response, entered);
    }

    private static void discard(Response response) {
        Body body = response.body();
        if (body != null) {
            body.close();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // answers
    // ------------------------------------------------------------------------------------------------------------

    private void answerProblem(Problem problem, boolean entered) {
        this.entered = entered;
        writeProblem(problem, true);
    }

    /**
     * A problem answer; with {@code exchangeFields} it carries the exchange's fields (request id, rate-limit
     * state) as any answer does, else only the request id (an answer broken off before sending).
     */
    private void writeProblem(Problem problem, boolean exchangeFields) {
        Exchange current = exchange;
        if (current.requestId() != null) {
            problem = problem.withInstance(current.requestId());
        }
        byte[] body = ProblemWriter.body(problem);
        status = problem.status();
        statusLine(status);
        if (exchangeFields) {
            current.responseHeaders().forEach(this::field);
        } else if (current.requestId() != null) {
            field("X-Request-Id", current.requestId());
        }
        problem.headers().forEach(this::field);
        field("Content-Type", ProblemWriter.MEDIA_TYPE);
        field("Cache-Control", "no-store");
        field("Date", door.dates().now());
        field("Content-Length", Integer.toString(body.length));
        endHead();
        append(body, 0, body.length);
        bodyBytes = body.length;
        complete();
    }

    private void writeAnswer(Response response, boolean entered) {
        this.entered = entered;
        Exchange current = exchange;
        status = response.status();
        statusLine(status);
        current.responseHeaders().forEach(this::field);
        HttpFields headers = response.headers();
        boolean hasDate = false;
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            if (name.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            hasDate |= name.equalsIgnoreCase("Date");
            field(name, headers.value(i));
        }
        if (!hasDate) {
            field("Date", door.dates().now());
        }
        Body body = response.body();
        if (body == null) {
            String length = headers.first("Content-Length");
            if ("HEAD".equals(current.method()) && length != null) {
                field("Content-Length", length);   // a HEAD answer describes the body a GET would get
            } else if (status >= 200 && status != 204 && status != 304 && !"HEAD".equals(current.method())) {
                field("Content-Length", "0");
            }
            endHead();
            complete();
            return;
        }
        if (!(body instanceof LoopBody loopBody)) {
            // every body a loop-served route can produce streams on the loop; anything else is a bug here
            body.close();
            throw new IllegalStateException("a blocking body reached the event loop");
        }
        chunked = body.length() < 0;
        // as GatewayHandler does: a small body of known length goes out with its head in one piece, and if the
        // upstream breaks off before its end, nothing has reached the client yet and it gets a 502 instead
        holding = body.length() >= 0 && body.length() <= SMALL_BODY;
        if (chunked) {
            field("Transfer-Encoding", "chunked");
        } else {
            field("Content-Length", Long.toString(body.length()));
        }
        endHead();
        streaming = loopBody;
        loopBody.stream(this);
    }

    @Override
    public boolean data(byte[] buffer, int offset, int length) {
        if (length == 0 || closed) {
            return !closed;
        }
        if (chunked) {
            ascii(Integer.toHexString(length));
            append(CRLF, 0, 2);
            append(buffer, offset, length);
            append(CRLF, 0, 2);
        } else {
            append(buffer, offset, length);
        }
        bodyBytes += length;
        if (outEnd - outStart >= HIGH_WATER) {
            writeOut();
            // Once false has been returned the source waits for resume(), which only an emptied queue calls: a
            // later write that merely drains below the mark must not clear this, or nobody would resume it.
            backedUp |= !closed && outEnd - outStart >= HIGH_WATER;
        }
        return !backedUp;
    }

    @Override
    public void flush() {
        if (outEnd > outStart && !holding) {
            writeOut();
        }
    }

    @Override
    public void end(boolean complete) {
        streaming = null;
        if (!complete && holding && !closed) {
            holding = false;
            outStart = 0;
            outEnd = 0;
            bodyBytes = 0;
            // 502 with the request id alone, as Helidon's error handler answers GatewayHandler's BodyBrokeOff
            writeProblem(Problem.of(ProblemType.UPSTREAM_UNAVAILABLE, null), false);
            return;
        }
        holding = false;
        if (!complete) {
            // the upstream broke off mid-body: the client must see a cut connection, not a whole answer
            finishExchange(true, entered);
            close();
            return;
        }
        if (chunked) {
            append(LAST_CHUNK, 0, LAST_CHUNK.length);
        }
        complete();
    }

    /** The answer is queued whole: send it, then record it and go on with the next request (or close). */
    private void complete() {
        ending = true;
        writeOut();   // calls afterWritten once the queue is empty: now, or on OP_WRITE
    }

    private void afterWritten() {
        ending = false;
        finishExchange(false, entered);
        if (closeAfter) {
            close();
            return;
        }
        idleSinceNanos = System.nanoTime();
        if (inEnd > inStart) {
            // a pipelined head, perhaps partial: its time starts now, not when the answered request's began
            headStartedNanos = idleSinceNanos;
            nextRequest();
        }
        if (!closed && exchange == null && key.isValid() && (key.interestOps() & SelectionKey.OP_READ) == 0) {
            key.interestOps(key.interestOps() | SelectionKey.OP_READ);
        }
    }

    private void finishExchange(boolean aborted, boolean entered) {
        Exchange done = exchange;
        if (done == null) {
            return;
        }
        exchange = null;
        chunked = false;
        backedUp = false;
        long sent = bodyBytes;
        bodyBytes = 0;
        int answeredStatus = status;
        status = 0;   // an exchange cut before its answer is not recorded with the previous one's status
        try {
            done.complete(new Completion(answeredStatus, 0, sent, aborted));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "recording request " + done.requestId() + " failed", e);
        } finally {
            if (entered) {
                door.drain().exit();
            }
        }
    }

    private void writeOut() {
        if (closed) {
            return;
        }
        int before = outStart;
        try {
            outBuffer.limit(outEnd).position(outStart);
            channel.write(outBuffer);
            outStart = outBuffer.position();
        } catch (IOException e) {
            abortWhileWriting();
            return;
        }
        if (outStart > before || outStart == outEnd) {
            lastWriteNanos = System.nanoTime();
        }
        if (outStart == outEnd) {
            outStart = 0;
            outEnd = 0;
            if (out.length > SHRINK_ABOVE) {
                // a large answer grew the queue: an idle keep-alive connection does not keep that memory
                out = new byte[4096];
                outBuffer = ByteBuffer.wrap(out);
            }
            if (key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            }
            if (backedUp) {
                backedUp = false;
                if (streaming != null) {
                    streaming.resume();
                }
            }
            if (ending) {
                afterWritten();
            }
        } else if (key.isValid()) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    /** The client went away while its answer was being written. */
    private void abortWhileWriting() {
        LoopBody body = streaming;
        streaming = null;
        if (body != null) {
            body.close();
        }
        finishExchange(true, entered);
        close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // head bytes
    // ------------------------------------------------------------------------------------------------------------

    private void statusLine(int code) {
        ascii("HTTP/1.1 ");
        ascii(Integer.toString(code));
        append((byte) ' ');
        ascii(Reasons.of(code));
        append(CRLF, 0, 2);
    }

    private void field(String name, String value) {
        ascii(name);
        append((byte) ':');
        append((byte) ' ');
        ascii(value);
        append(CRLF, 0, 2);
    }

    private void endHead() {
        field("Connection", closeAfter ? "close" : "keep-alive");
        append(CRLF, 0, 2);
    }

    private void ascii(String s) {
        int n = s.length();
        ensureOut(n);
        // values came from parsed heads (ISO-8859-1 strings) or are ours: each char is one byte as received
        for (int i = 0; i < n; i++) {
            out[outEnd++] = (byte) s.charAt(i);
        }
    }

    private void append(byte b) {
        ensureOut(1);
        out[outEnd++] = b;
    }

    private void append(byte[] bytes, int offset, int length) {
        ensureOut(length);
        System.arraycopy(bytes, offset, out, outEnd, length);
        outEnd += length;
    }

    private void ensureOut(int more) {
        if (outEnd + more <= out.length) {
            return;
        }
        if (outStart > 0) {
            System.arraycopy(out, outStart, out, 0, outEnd - outStart);
            outEnd -= outStart;
            outStart = 0;
            if (outEnd + more <= out.length) {
                return;
            }
        }
        byte[] bigger = new byte[Math.max(out.length * 2, outEnd + more)];
        System.arraycopy(out, 0, bigger, 0, outEnd);
        out = bigger;
        outBuffer = ByteBuffer.wrap(out);
    }

    // ------------------------------------------------------------------------------------------------------------
    // hand-over and closing
    // ------------------------------------------------------------------------------------------------------------

    /** Gives the connection to Helidon with the bytes not consumed yet; nothing of this request ran here. */
    private void handOver() {
        closed = true;   // for this loop: from now on the connection belongs to the hand-over
        loop.disown(this);
        door.closed(loop, this);
        ByteBuffer rest = ByteBuffer.wrap(java.util.Arrays.copyOfRange(in, inStart, inEnd));
        loop.release(key, () -> {
            try {
                channel.configureBlocking(true);
            } catch (IOException e) {
                closeChannel();
                return;
            }
            door.handover().start(channel, rest);
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LoopBody body = streaming;
        streaming = null;
        if (body != null) {
            body.close();
        }
        loop.disown(this);
        door.closed(loop, this);
        closeChannel();
        if (!awaitingUpstream || loop.stopping()) {
            // an answer being written broke off (or the loop stopped): record it as such; one still awaited from
            // the upstream is recorded when it comes (respond), unless the loop stops, when it never will
            awaitingUpstream = false;
            finishExchange(true, entered);
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with it
        }
    }
}
