import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How fast a Graphite relay takes bursts on one long-lived connection, without haproxystats:
 * writes FILE (Graphite lines) to 127.0.0.1:PORT TIMES times, PAUSE ms apart, and prints how long
 * each write-and-flush took. Run with the JDK's source launcher:
 *
 *   java bench/RelayWriteProbe.java FILE PORT [TIMES 10] [PAUSE_MS 800]
 */
public class RelayWriteProbe {
    public static void main(String[] args) throws Exception {
        byte[] lines = Files.readAllBytes(Path.of(args[0]));
        int times = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        long pause = args.length > 3 ? Long.parseLong(args[3]) : 800;
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(args[1]))) {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            for (int i = 0; i < times; i++) {
                long t0 = System.nanoTime();
                out.write(lines);
                out.flush();
                System.out.printf("%d bytes in %.0f ms%n", lines.length, (System.nanoTime() - t0) / 1e6);
                Thread.sleep(pause);
            }
        }
    }
}
