/**
 * haproxystats.conf, read as Python's configparser reads it, then validated into records.
 *
 * <pre>
 * Defaults.table() ─┐
 * -f FILE ──────────┼─ ini: IniTokenizer (ini4j) ─→ LayeredConfig ─→ EffectiveConfig (Interpolator: ${s:o})
 * -d DIR/*.conf ────┘                                               │
 *        PullSettings / ProcessConfig (ProcessSettings, GraphiteSettings, GroupSettings) ←─┘
 *        KnownOptions (typos, -p/-P) · ConfigPrinter (-p/-P) · WorldWritable (steering files)
 * </pre>
 *
 * Every option is checked before a daemon starts; an error is a {@link
 * io.haproxystats.common.config.ConfigurationException} naming section and option (exit 2).
 */
package io.haproxystats.common.config;
