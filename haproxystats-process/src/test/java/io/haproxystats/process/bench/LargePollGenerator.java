package io.haproxystats.process.bench;

import io.haproxystats.process.compute.ParseException;
import io.haproxystats.process.compute.StatParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the "large" benchmark poll from a real captured poll directory, by the recipe of
 * the benchmark workload's recipe (docs/benchmarks.md): FILES pairs {@code haproxy<i>.sock_info/_stat}; each _stat has
 * BACKENDS proxies (a FRONTEND and a BACKEND row each, cloned from the template's proxies in
 * turn) with SERVERS servers (cloned from the template proxy's servers in turn), so statuses,
 * empty fields, the exact header and trailing commas are real ones. Numeric counters are scaled
 * by a seeded random factor in 0.3..1.7 per row; identity and shape columns are kept. The _info
 * files clone the template's first with varied numbers (Idle_pct 0..100, Process_num = i).
 * The random sequence is Java's, so the files differ from gen-large.py's byte for byte, not in shape.
 *
 * <pre>LargePollGenerator TEMPLATE_DIR OUT_PARENT [EPOCH 1700000000] [FILES 32] [BACKENDS 250] [SERVERS 20] [SEED 1]</pre>
 */
public final class LargePollGenerator {

    private static final Set<String> KEEP = Set.of(
            "pid",
            "iid",
            "sid",
            "type",
            "tracked",
            "act",
            "bck",
            "check_code",
            "check_rise",
            "check_fall",
            "check_health",
            "agent_rise",
            "agent_fall",
            "agent_health",
            "agent_code",
            "srid",
            "slim",
            "qlimit",
            "rate_lim",
            "src_ilim",
            "lastsess",
            "last_chk",
            "last_agt",
            "hanafail",
            "uweight",
            "agg_server_status",
            "agg_server_check_status",
            "agg_check_status");
    private static final Set<String> INFO_KEEP = Set.of(
            "Nbthread",
            "Nbproc",
            "Maxconn",
            "Hard_maxconn",
            "Ulimit-n",
            "Maxsock",
            "Maxpipes",
            "ConnRateLimit",
            "SessRateLimit",
            "SslRateLimit",
            "CompressBpsRateLim",
            "MaxZlibMemUsage",
            "Memmax_MB",
            "Memmax_bytes",
            "Stopping",
            "Tainted",
            "ActivePeers",
            "ConnectedPeers",
            "Unstoppable Jobs",
            "Listeners",
            "MaxSslConns");
    private static final Pattern INT = Pattern.compile("-?\\d+");

    private record Proxy(List<String> frontend, List<String> backend, List<List<String>> servers) {}

    private final List<String> header;
    private final Random random;

    private LargePollGenerator(List<String> header, long seed) {
        this.header = header;
        this.random = new Random(seed);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println(
                    "usage: LargePollGenerator TEMPLATE_DIR OUT_PARENT [EPOCH] [FILES] [BACKENDS] [SERVERS] [SEED]");
            System.exit(2);
        }
        Path dir = generate(
                Path.of(args[0]),
                Path.of(args[1]),
                arg(args, 2, "1700000000"),
                Integer.parseInt(arg(args, 3, "32")),
                Integer.parseInt(arg(args, 4, "250")),
                Integer.parseInt(arg(args, 5, "20")),
                Long.parseLong(arg(args, 6, "1")));
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf(
                "%s: %s files, %s proxies x %s servers per _stat, %.1f MB%n",
                dir, 2 * Integer.parseInt(arg(args, 3, "32")), arg(args, 4, "250"), arg(args, 5, "20"), bytes / 1e6);
    }

    private static String arg(String[] args, int i, String fallback) {
        return args.length > i ? args[i] : fallback;
    }

    /** Writes OUT_PARENT/EPOCH/ and returns it. */
    public static Path generate(
            Path template, Path outParent, String epoch, int files, int backends, int servers, long seed)
            throws IOException {
        Path statTemplate;
        Path infoTemplate;
        try (Stream<Path> s = Files.list(template)) {
            List<Path> all = s.sorted().toList();
            statTemplate = all.stream()
                    .filter(p -> p.toString().endsWith("_stat"))
                    .findFirst()
                    .orElseThrow();
            infoTemplate = all.stream()
                    .filter(p -> p.toString().endsWith("_info"))
                    .findFirst()
                    .orElseThrow();
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(statTemplate, StandardCharsets.UTF_8)) {
            if (!line.isEmpty()) {
                rows.add(parseCsv(line));
            }
        }
        LargePollGenerator g = new LargePollGenerator(rows.get(0), seed);
        return g.write(
                rows.subList(1, rows.size()),
                Files.readString(infoTemplate),
                outParent.resolve(epoch),
                files,
                backends,
                servers);
    }

    private Path write(List<List<String>> rows, String info, Path out, int files, int backends, int servers)
            throws IOException {
        int px = header.indexOf("# pxname");
        int type = header.indexOf("type");
        Map<String, Proxy> proxies = new LinkedHashMap<>();
        for (List<String> r : rows) {
            Proxy p = proxies.computeIfAbsent(
                    r.get(px), k -> new Proxy(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            switch (r.get(type)) {
                case "0" -> p.frontend().addAll(r);
                case "1" -> p.backend().addAll(r);
                case "2" -> p.servers().add(r);
                default -> {}
            }
        }
        List<String> names = proxies.keySet().stream()
                .filter(n -> !proxies.get(n).backend().isEmpty()
                        && !proxies.get(n).servers().isEmpty())
                .toList();
        if (Files.exists(out)) {
            try (Stream<Path> old = Files.list(out)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(out);
        for (int fi = 1; fi <= files; fi++) {
            StringBuilder b = new StringBuilder(4 << 20);
            b.append(String.join(",", header)).append('\n');
            for (int be = 1; be <= backends; be++) {
                String t = names.get(be % names.size());
                Proxy p = proxies.get(t);
                String name = String.format("svc%03d.%s", be, t);
                if (!p.frontend().isEmpty()) {
                    row(b, vary(p.frontend(), factor(), name, "FRONTEND", be, -1));
                }
                for (int k = 1; k <= servers; k++) {
                    List<String> s = p.servers().get((k - 1) % p.servers().size());
                    row(b, vary(s, factor(), name, String.format("srv%02d.rack%d.example.net", k, k % 5), be, k));
                }
                row(b, vary(p.backend(), factor(), name, "BACKEND", be, -1));
            }
            b.append('\n');
            Files.writeString(out.resolve("haproxy" + fi + ".sock_stat"), b);
            Files.writeString(out.resolve("haproxy" + fi + ".sock_info"), info(info, fi));
        }
        return out;
    }

    private double factor() {
        return 0.3 + 1.4 * random.nextDouble();
    }

    private List<String> vary(List<String> row, double factor, String pxname, String svname, int iid, int sid) {
        List<String> out = new ArrayList<>(row);
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            String v = i < row.size() ? row.get(i) : "";
            if (name.equals("# pxname")) {
                out.set(i, pxname);
            } else if (name.equals("svname")) {
                out.set(i, svname);
            } else if (name.equals("iid")) {
                out.set(i, Integer.toString(iid));
            } else if (name.equals("sid") && sid > 0 && !v.isEmpty()) {
                out.set(i, Integer.toString(sid));
            } else if (KEEP.contains(name) || !INT.matcher(v).matches()) {
                continue;
            } else if (name.equals("weight")) {
                long w = Long.parseLong(v);
                out.set(i, w > 0 ? Long.toString(Math.max(1, w + random.nextInt(7) - 3)) : v);
            } else if (name.equals("lbtot") && v.equals("0")) {
                continue; // servers without traffic keep none
            } else {
                out.set(i, Long.toString(Math.round(Long.parseLong(v) * factor)));
            }
        }
        return out;
    }

    private String info(String template, int fileIndex) {
        StringBuilder b = new StringBuilder();
        String[] lines = template.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(": ");
            if (colon > 0) {
                String k = line.substring(0, colon);
                String v = line.substring(colon + 2);
                if (k.equals("Process_num")) {
                    v = Integer.toString(fileIndex);
                } else if (k.equals("Pid")) {
                    v = Integer.toString(10000 + 37 * fileIndex);
                } else if (k.equals("Idle_pct")) {
                    v = Integer.toString(random.nextInt(101));
                } else if (!INFO_KEEP.contains(k) && INT.matcher(v).matches()) {
                    v = Long.toString(Math.round(Long.parseLong(v) * factor()));
                }
                line = k + ": " + v;
            }
            b.append(line);
            if (i < lines.length - 1) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** Writes a row as CSV, quoting only fields that need it (as Python's csv module does). */
    private static void row(StringBuilder b, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                b.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                b.append(f);
            }
        }
        b.append('\n');
    }

    /** Fields of a CSV line, keeping the empty field after a trailing comma (as Python's csv reader does). */
    private static List<String> parseCsv(String line) {
        try {
            List<String> fields = new ArrayList<>(StatParser.splitCsv(line, "template", 0));
            if (line.endsWith(",")) {
                fields.add("");
            }
            return fields;
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
