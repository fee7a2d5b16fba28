package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the corpus loads as Python's configparser loads it: the expected {@code -P}
 * output, or an error naming what configparser's error names. The expected files were produced
 * by {@code src/test/python/config_expected.py} with Python's own configparser.
 */
class ConfigCorpusTest {

    static Path corpus() throws URISyntaxException {
        return Path.of(ConfigCorpusTest.class.getResource("/config-corpus").toURI());
    }

    static Stream<String> files() throws Exception {
        try (Stream<Path> s = Files.list(corpus())) {
            List<String> names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".conf"))
                    .sorted()
                    .toList();
            assertTrue(names.size() >= 30, "the corpus holds at least 30 files, found " + names.size());
            return names.stream();
        }
    }

    @ParameterizedTest(name = "pull {0}")
    @MethodSource("files")
    void pullReadsAsConfigParserDoes(String name) throws Exception {
        check(name, "pull", PullSettings::reads, PullSettings::from);
    }

    @ParameterizedTest(name = "process {0}")
    @MethodSource("files")
    void processReadsAsConfigParserDoes(String name) throws Exception {
        check(name, "process", ProcessConfig::reads, ProcessConfig::from);
    }

    private static void check(
            String name, String daemon, Predicate<String> sections, Consumer<EffectiveConfig> validate)
            throws Exception {
        Path conf = corpus().resolve(name);
        String stem = name.substring(0, name.length() - ".conf".length());
        Path extra = corpus().resolve(stem + ".d");
        Path out = corpus().resolve(stem + "." + daemon + ".out");
        Path err = corpus().resolve(stem + "." + daemon + ".err");
        if (Files.exists(out)) {
            EffectiveConfig config = ConfigLoader.load(conf, Files.isDirectory(extra) ? extra : null);
            validate.accept(config);
            StringWriter printed = new StringWriter();
            ConfigPrinter.printConfigParserView(new PrintWriter(printed), config, sections);
            assertEquals(read(out), printed.toString());
        } else {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> {
                EffectiveConfig config = ConfigLoader.load(conf, Files.isDirectory(extra) ? extra : null);
                validate.accept(config);
            });
            for (String token : read(err).strip().split("\n")) {
                assertTrue(e.getMessage().contains(token), "'" + e.getMessage() + "' names " + token);
            }
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
