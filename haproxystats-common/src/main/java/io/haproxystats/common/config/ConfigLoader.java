package io.haproxystats.common.config;

import io.haproxystats.common.config.ini.IniTokenizer;
import io.haproxystats.common.config.ini.LayeredConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the effective configuration as the original does: the built-in defaults, then the main
 * file (a missing file means "defaults only"), then, for {@code -d DIR}, every {@code DIR/*.conf} in
 * name order. Later values win; interpolation happens on read, after all layers.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    public static EffectiveConfig load(Path mainFile, Path extraDir) {
        LayeredConfig layers = new LayeredConfig();
        Defaults.table().forEach(layers::applySection);
        if (Files.isDirectory(mainFile)) {
            throw new ConfigurationException(mainFile + ": is a directory, expected a configuration file");
        }
        if (Files.exists(mainFile)) {
            layers.apply(IniTokenizer.read(mainFile));
        }
        if (extraDir != null) {
            for (Path file : confFiles(extraDir)) {
                layers.apply(IniTokenizer.read(file));
            }
        }
        return new EffectiveConfig(layers);
    }

    public static EffectiveConfig defaultsOnly() {
        LayeredConfig layers = new LayeredConfig();
        Defaults.table().forEach(layers::applySection);
        return new EffectiveConfig(layers);
    }

    private static List<Path> confFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("-d " + dir + ": not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(
                    files.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p))
                            .sorted()
                            .toList());
        } catch (IOException e) {
            throw new ConfigurationException("-d " + dir + ": cannot list: " + e.getMessage());
        }
    }
}
