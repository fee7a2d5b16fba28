package io.haproxystats.common.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Graphite group namespaces: {@code [graphite] group-namespace = G} and patterns in
 * {@code [frontend-groups]}, {@code [backend-groups]}, {@code [server-groups]} (group name =
 * regex). A name matching a pattern (first in file order, searched anywhere in the name, as
 * Python's {@code re.search}) is sent under {@code <prefix>.G.<group>.}; with double writes also
 * under the plain path. Options inherited from {@code [DEFAULT]} are not patterns.
 */
public record GroupSettings(
        String namespace, boolean doubleWrites, List<Group> frontend, List<Group> backend, List<Group> server) {

    public static final List<String> SECTIONS = List.of("frontend-groups", "backend-groups", "server-groups");

    /** One named pattern: a group (matched against the sanitised name) or a cluster (against the load balancer's). */
    public record Group(String name, Pattern pattern) {}

    static Optional<GroupSettings> from(EffectiveConfig config) {
        Optional<String> namespace = config.find("graphite", "group-namespace");
        boolean anySection = SECTIONS.stream().anyMatch(config::hasSection);
        if (namespace.isEmpty()) {
            if (anySection) {
                String present =
                        SECTIONS.stream().filter(config::hasSection).findFirst().orElseThrow();
                throw ConfigurationException.forOption(
                        "graphite", "group-namespace", "must be set because section [" + present + "] exists");
            }
            return Optional.empty();
        }
        MetricPathOptions.component("graphite", "group-namespace", namespace.get());
        if (!anySection) {
            throw ConfigurationException.forOption(
                    "graphite",
                    "group-namespace",
                    "needs at least one of the sections [frontend-groups], [backend-groups], [server-groups]");
        }
        if (config.find("graphite", "group-namespace-double-writes").isEmpty()) {
            throw ConfigurationException.forOption(
                    "graphite",
                    "group-namespace-double-writes",
                    "must be set (true or false) when group-namespace is set");
        }
        boolean doubleWrites = config.getBoolean("graphite", "group-namespace-double-writes");
        return Optional.of(new GroupSettings(
                namespace.get(),
                doubleWrites,
                groups(config, SECTIONS.get(0)),
                groups(config, SECTIONS.get(1)),
                groups(config, SECTIONS.get(2))));
    }

    /**
     * The {@code name = regex} lines of a section in file order (each name one path component, each
     * regex valid), as {@code [clusters]} has them too; empty when the section is absent.
     */
    static List<Group> groups(EffectiveConfig config, String section) {
        List<Group> out = new ArrayList<>();
        if (!config.hasSection(section)) {
            return out;
        }
        for (String name : config.ownOptions(section)) {
            MetricPathOptions.component(section, name, name);
            String regex = config.get(section, name);
            try {
                out.add(new Group(name, Pattern.compile(regex)));
            } catch (PatternSyntaxException e) {
                throw ConfigurationException.forOption(
                        section,
                        name,
                        "is not a valid regular expression: " + e.getDescription() + " in '" + regex + "'");
            }
        }
        return List.copyOf(out);
    }

    /** The group of a (sanitised) name, or empty when no pattern matches. */
    public static Optional<String> match(List<Group> groups, String name) {
        for (Group group : groups) {
            if (group.pattern().matcher(name).find()) {
                return Optional.of(group.name());
            }
        }
        return Optional.empty();
    }
}
