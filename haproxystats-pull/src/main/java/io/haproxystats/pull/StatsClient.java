package io.haproxystats.pull;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.spool.PollFiles.Command;
import io.haproxystats.common.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one command to one HAProxy stats socket and streams the answer into a file.
 *
 * <p>UNIX and TCP sockets both go through the JDK's {@link SocketChannel}, whose blocking calls
 * release the carrier thread when run on a virtual thread (jnr-unixsocket's native read does not).
 * The JDK has no timeouts on channels, so every bound is a scheduled {@code close()} of the
 * channel: the per-try connect {@code timeout}, then the caller's deadline for the whole request.
 *
 * <p>An answer is accepted only when it is not empty, is at most {@code bufferLimit} bytes, starts
 * the way the command's answer starts, and ends with HAProxy's terminating empty line; anything
 * else (a truncated answer from a worker stopping during a reload, say) is a failure, never a
 * silently shortened file. Thread-safe: one instance serves all requests of all polls.
 */
final class StatsClient {

    /**
     * Read size. Small on purpose: 64 requests a poll each holding a large buffer outlive a small
     * young generation, get promoted and grow the heap (measured: 64 KB buffers grew a 64 MB heap
     * to its limit in 40 polls of 32 sockets).
     */
    private static final int CHUNK = 8 * 1024;

    private final Connect connect;
    private final long bufferLimit;
    private final ScheduledExecutorService timer;
    private final Clock clock;

    StatsClient(Connect connect, long bufferLimit, ScheduledExecutorService timer, Clock clock) {
        this.connect = connect;
        this.bufferLimit = bufferLimit;
        this.timer = timer;
        this.clock = clock;
    }

    /**
     * Fetches {@code command} from {@code socket} into {@code target} (created; must not exist).
     *
     * @param deadlineNanos {@link System#nanoTime()} by which the answer must be complete, or
     *                      {@link Long#MAX_VALUE} for none
     * @return the number of bytes written
     */
    long fetch(SocketAddress socket, Command command, long deadlineNanos, Path target)
            throws FetchException, InterruptedException {
        return fetch(socket, "", command, deadlineNanos, target);
    }

    /**
     * As {@link #fetch(SocketAddress, Command, long, Path)}, with {@code prefix} before the
     * command: {@code "@!<pid> "} asks a master CLI to pass the command to that worker.
     */
    long fetch(SocketAddress socket, String prefix, Command command, long deadlineNanos, Path target)
            throws FetchException, InterruptedException {
        try (FileChannel out = FileModes.createNew(target)) {
            return exchange(socket, prefix + command.text(), command.answerPrefix(), deadlineNanos, out, bufferLimit);
        } catch (IOException e) {
            throw new FetchException(
                    socket + " '" + prefix + command.text() + "': cannot write " + target + ": " + describe(e), e);
        }
    }

    /** Sends {@code text} and returns the whole answer, which must start with {@code answerPrefix}. */
    String query(SocketAddress socket, String text, String answerPrefix, long deadlineNanos)
            throws FetchException, InterruptedException {
        return query(socket, text, answerPrefix, deadlineNanos, bufferLimit);
    }

    /** As {@link #query(SocketAddress, String, String, long)}, the answer bounded by {@code maxBytes}. */
    String query(SocketAddress socket, String text, String answerPrefix, long deadlineNanos, long maxBytes)
            throws FetchException, InterruptedException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        exchange(
                socket,
                text,
                answerPrefix,
                deadlineNanos,
                Channels.newChannel(answer),
                Math.min(maxBytes, bufferLimit));
        return answer.toString(StandardCharsets.UTF_8);
    }

    private long exchange(
            SocketAddress socket,
            String text,
            String answerPrefix,
            long deadlineNanos,
            WritableByteChannel out,
            long limit)
            throws FetchException, InterruptedException {
        String what = socket + " '" + text + "'";
        SocketChannel channel = connectWithRetries(socket, what, deadlineNanos);
        ScheduledFuture<?> deadline = scheduleClose(channel, deadlineNanos);
        try (channel) {
            channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII)));
            // Half-close as socat does: a worker's CLI answers and closes either way, and a peer
            // that waits for more commands (the master CLI) answers and closes instead of hanging.
            channel.shutdownOutput();
            return copyAnswer(channel, out, text, answerPrefix, what, limit);
        } catch (AsynchronousCloseException e) {
            if (e instanceof ClosedByInterruptException) {
                throw new InterruptedException(what + ": interrupted");
            }
            throw new FetchException(what + ": no complete answer before the pull-timeout deadline");
        } catch (IOException e) {
            throw new FetchException(what + ": " + describe(e), e);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    private long copyAnswer(
            SocketChannel channel, WritableByteChannel out, String text, String answerPrefix, String what, long limit)
            throws IOException, FetchException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long total = 0;
        byte last = 0;
        byte beforeLast = 0;
        byte[] head = new byte[24];
        int headLength = 0;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            total += n;
            if (total > limit) {
                throw new FetchException(what + ": answer longer than "
                        + (limit == bufferLimit ? "buffer-limit" : "the limit") + " (" + limit + " bytes)");
            }
            buffer.flip();
            for (int i = 0; headLength < head.length && i < n; i++) {
                head[headLength++] = buffer.get(i);
            }
            if (n >= 2) {
                beforeLast = buffer.get(n - 2);
                last = buffer.get(n - 1);
            } else if (n == 1) {
                beforeLast = last;
                last = buffer.get(0);
            }
            try {
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            } catch (IOException e) {
                // Not the socket's fault: say so, the operator looks at the disk, not at HAProxy.
                throw new FetchException(what + ": cannot write the answer into tmp-dst-dir: " + describe(e), e);
            }
        }
        if (total == 0) {
            throw new FetchException(what + ": empty answer");
        }
        String start = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        if (!start.startsWith(answerPrefix)) {
            throw new FetchException(what + ": not an answer to '" + text + "' (expected it to start with '"
                    + answerPrefix.strip() + "'): " + firstLineHint(head, headLength));
        }
        if (beforeLast != '\n' || last != '\n') {
            throw new FetchException(
                    what + ": truncated answer (" + total + " bytes, missing HAProxy's terminating empty line)");
        }
        return total;
    }

    private static String firstLineHint(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        int newline = text.indexOf('\n');
        return "starts with '" + (newline < 0 ? text : text.substring(0, newline)) + "'";
    }

    private SocketChannel connectWithRetries(SocketAddress socket, String what, long deadlineNanos)
            throws FetchException, InterruptedException {
        int tries = connect.tries();
        for (int failures = 0; ; ) {
            long tryDeadline = Math.min(
                    deadlineNanos,
                    saturatedAdd(clock.nanoTime(), connect.timeout().toNanos()));
            try {
                return connectOnce(socket, tryDeadline);
            } catch (IOException e) {
                failures++;
                String reason = e instanceof AsynchronousCloseException
                        ? "connect timed out after " + connect.timeout().toMillis() + " ms"
                        : permissionDenied(e)
                                ? "permission denied (the user needs the haproxy group, or a stats "
                                        + "socket mode or level that allows it)"
                                : describe(e);
                long wait = connect.waitAfterFailure(failures).toNanos();
                if (failures >= tries || saturatedAdd(clock.nanoTime(), wait) >= deadlineNanos) {
                    throw new FetchException(
                            what + ": cannot connect (" + failures + " tries): " + reason, e, noListener(e));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                clock.sleep(Duration.ofNanos(wait));
            }
        }
    }

    /**
     * One connect try, bounded by a scheduled close. The timer and the connect race for one flag:
     * whichever sets it first wins, so a close can never land on a channel whose connect already
     * succeeded (it did, 1 poll in 7 to 14 at 500 sockets: a bare ClosedChannelException).
     */
    private SocketChannel connectOnce(SocketAddress socket, long deadlineNanos) throws IOException {
        SocketChannel channel =
                switch (socket) {
                    case SocketAddress.Unix u -> SocketChannel.open(StandardProtocolFamily.UNIX);
                    case SocketAddress.Tcp t -> SocketChannel.open();
                };
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> timeout = deadlineNanos == Long.MAX_VALUE
                ? null
                : timer.schedule(
                        () -> {
                            if (settled.compareAndSet(false, true)) {
                                closeQuietly(channel);
                            }
                        },
                        Math.max(0, deadlineNanos - clock.nanoTime()),
                        TimeUnit.NANOSECONDS);
        try {
            switch (socket) {
                case SocketAddress.Unix u -> channel.connect(UnixDomainSocketAddress.of(u.path()));
                case SocketAddress.Tcp t -> channel.connect(new InetSocketAddress(t.host(), t.port()));
            }
            if (!settled.compareAndSet(false, true)) {
                // The timer won just after the connect: it is a timeout, like one during the connect.
                throw new AsynchronousCloseException();
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            if (!settled.compareAndSet(false, true)) {
                // The timer closed the channel, before or during the connect: a timeout, whatever
                // the connect threw (a channel closed before connect began throws ClosedChannelException).
                throw new AsynchronousCloseException();
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is the timeout; a failure to close leaves nothing to do.
        }
    }

    private ScheduledFuture<?> scheduleClose(SocketChannel channel, long deadlineNanos) {
        if (deadlineNanos == Long.MAX_VALUE) {
            return null;
        }
        long delay = Math.max(0, deadlineNanos - clock.nanoTime());
        return timer.schedule(() -> closeQuietly(channel), delay, TimeUnit.NANOSECONDS);
    }

    /**
     * Nothing listens there: refused (a socket file HAProxy left behind when it stopped, a closed
     * TCP port) or the socket file is gone. Not a timeout: a live but slow HAProxy is not dead.
     */
    static boolean noListener(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof ConnectException && m.contains("Connection refused")
                || e instanceof SocketException && m.contains("No such file or directory");
    }

    private static boolean permissionDenied(IOException e) {
        return String.valueOf(e.getMessage()).contains("Permission denied");
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
