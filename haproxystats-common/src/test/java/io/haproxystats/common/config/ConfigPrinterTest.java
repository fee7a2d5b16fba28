package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -P prints every option once with its value in force, and what it prints reads back as the same. */
class ConfigPrinterTest {

    @TempDir
    Path tmp;

    private static String print(EffectiveConfig config) {
        StringWriter out = new StringWriter();
        ConfigPrinter.printEffective(new PrintWriter(out), config, s -> true, List.of());
        return out.toString();
    }

    /** Section to option to value, as configparser's items() give them. */
    private static Map<String, Map<String, String>> values(EffectiveConfig config) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String section : ConfigPrinter.printedSections(config, s -> true)) {
            out.put(section, config.items(section));
        }
        return out;
    }

    @Test
    void everyOptionOnceDefaultKeysOnlyInDefaultAndTheOutputReadsBackAsTheSame() throws Exception {
        for (Path conf : Files.list(ConfigCorpusTest.corpus())
                .filter(p -> p.toString().endsWith(".conf"))
                .sorted()
                .toList()) {
            String stem = conf.getFileName().toString().replace(".conf", "");
            if (!Files.exists(conf.resolveSibling(stem + ".process.out"))
                    || !Files.exists(conf.resolveSibling(stem + ".pull.out"))) {
                continue; // a file one of the daemons refuses
            }
            Path extra = conf.resolveSibling(stem + ".d");
            EffectiveConfig config = ConfigLoader.load(conf, Files.isDirectory(extra) ? extra : null);
            String printed = print(config);
            Path again = Files.writeString(tmp.resolve(stem + ".printed"), printed);
            EffectiveConfig reread = ConfigLoader.load(again, null);
            // Every value reads back the same; what is new are the built-in values of the newer
            // options, now written out.
            Map<String, Map<String, String>> before = values(config);
            Map<String, Map<String, String>> after = values(reread);
            before.forEach((section, options) -> options.forEach((option, value) -> assertEquals(
                    value,
                    after.get(section).get(option),
                    conf + ": [" + section + "] " + option + " printed as\n" + printed)));
            // A section printed although the file has none ([kafka]) sees [DEFAULT]'s keys, as any section.
            Map<String, String> inherited = before.getOrDefault("DEFAULT", Map.of());
            after.forEach((section, options) -> options.forEach((option, value) -> {
                if (!before.getOrDefault(section, inherited).containsKey(option)) {
                    assertEquals(
                            KnownOptions.builtIn(section, option, config).orElse(null),
                            value,
                            conf + ": [" + section + "] " + option + " is new in the printed file");
                }
            }));
        }
        String defaults = print(ConfigLoader.defaultsOnly());
        assertTrue(defaults.contains("[process]\naggr-server-metrics = false\n"), defaults);
        assertTrue(defaults.contains("\n# exclude-backends =  (unset)\n"), defaults);
        assertTrue(defaults.contains("\n# loglevel = info  (from [DEFAULT])\n"), defaults);
        assertTrue(defaults.contains("\nquarantine-dir = /var/lib/haproxystats/quarantine\n"), defaults);
        assertTrue(defaults.contains("\nmode = local\n"), defaults);
        assertTrue(defaults.contains("[kafka]\n# bootstrap-servers =  (unset)\n"), defaults);
        assertTrue(defaults.contains("\npolls-topic = haproxystats.polls\n"), defaults);
        assertTrue(defaults.contains("[kafka-dispatch]\n# topic =  (unset)\n"), defaults);
        assertTrue(
                !defaults.substring(defaults.indexOf("[paths]")).contains("\nretries = 2\n"),
                "DEFAULT keys are not printed again in other sections");
    }
}
