/**
 * The INI engine: haproxystats.conf read as Python's configparser reads it, with nothing of the
 * daemons' options in it.
 *
 * <pre>
 * text ─→ IniTokenizer (ini4j; configparser's rules: continuation lines, ':' and '=', comments,
 *         duplicate sections an error) ─→ IniFile ─→ LayeredConfig (defaults, then -f, then
 *         -d DIR/*.conf, later layers win) ─→ Interpolator (${option}, ${section:option}, $$)
 * </pre>
 *
 * Errors are {@link io.haproxystats.common.config.ConfigurationException}s naming the file and line.
 */
package io.haproxystats.common.config.ini;
