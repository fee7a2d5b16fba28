#!/usr/bin/env python3
"""Regenerates the expected results of the configuration corpus with Python's configparser.

For every NAME.conf in the corpus directory (plus every NAME.d/*.conf, as `haproxystats-process -d`
reads them), this loads the file exactly as the original haproxystats does
(ConfigParser(interpolation=ExtendedInterpolation()), read_dict(defaults), read(file)) and writes,
for each daemon:
  NAME.pull.out / NAME.process.out  what `-P` prints, when the file is valid;
  NAME.pull.err / NAME.process.err  the words the error message must contain, one per line.

Usage: python3 config_expected.py [CORPUS_DIR]   (default: ../resources/config-corpus)
The Java test (ConfigCorpusTest) reads the recorded files; it does not need Python.
"""
import configparser
import copy
import glob
import io
import os
import re
import sys

DEFAULTS = {
    'DEFAULT': {'retries': '2', 'timeout': '1', 'interval': '2', 'loglevel': 'info'},
    'paths': {'base-dir': '/var/lib/haproxystats'},
    'pull': {'retries': '1', 'timeout': '0.1', 'interval': '0.5', 'pull-timeout': '2',
             'pull-interval': '10', 'buffer-limit': '6291456',
             'dst-dir': '/var/lib/haproxystats/incoming',
             'tmp-dst-dir': '/var/lib/haproxystats/incoming.tmp', 'workers': '8', 'queue-size': '360'},
    'process': {'workers': '4', 'src-dir': '/var/lib/haproxystats/incoming',
                'aggr-server-metrics': 'false', 'per-process-metrics': 'false',
                'calculate-percentages': 'false', 'liveness-check-interval': '10'},
    'graphite': {'server': '127.0.0.1', 'port': '3002', 'retries': '3', 'interval': '1.8',
                 'connect-timeout': '1.0', 'write-timeout': '1.0', 'delay': '10', 'backoff': '2',
                 'namespace': 'loadbalancers', 'prefix-hostname': 'true', 'fqdn': 'true',
                 'queue-size': '1000000'},
}

PULL_TYPES = [('retries', 'int'), ('timeout', 'float'), ('interval', 'float'), ('pull-timeout', 'float'),
              ('pull-interval', 'float'), ('buffer-limit', 'int'), ('workers', 'int'), ('queue-size', 'int')]
PROCESS_TYPES = [('workers', 'int'), ('aggr-server-metrics', 'bool'), ('per-process-metrics', 'bool'),
                 ('calculate-percentages', 'bool'), ('liveness-check-interval', 'float')]
GRAPHITE_TYPES = [('port', 'int'), ('retries', 'int'), ('connect-timeout', 'float'), ('interval', 'float'),
                  ('backoff', 'float'), ('write-timeout', 'float'), ('delay', 'float'),
                  ('prefix-hostname', 'bool'), ('fqdn', 'bool'), ('queue-size', 'int')]
LEVELS = {'DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL'}
STAT_FIELDS = set('''qcur qmax scur smax slim stot bin bout dreq dresp ereq econ eresp wretr wredis weight act
bck chkfail chkdown lastchg downtime qlimit pid iid sid throttle lbtot type rate rate_lim rate_max check_code
check_duration hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other hanafail req_rate req_rate_max req_tot
cli_abrt srv_abrt comp_in comp_out comp_byp comp_rsp lastsess qtime ctime rtime ttime agent_code agent_duration
check_rise check_fall check_health agent_rise agent_fall agent_health conn_rate conn_rate_max conn_tot
intercepted dcon dses wrew connect reuse cache_lookups cache_hits srv_icur src_ilim qtime_max ctime_max
rtime_max ttime_max eint idle_conn_cur safe_conn_cur used_conn_cur need_conn_est uweight'''.split())
GROUP_SECTIONS = ['frontend-groups', 'backend-groups', 'server-groups']


class Invalid(Exception):
    def __init__(self, *tokens):
        super().__init__(' '.join(tokens))
        self.tokens = tokens


def load(conf, extra_dir):
    config = configparser.ConfigParser(interpolation=configparser.ExtendedInterpolation())
    config.read_dict(copy.deepcopy(DEFAULTS))
    files = [conf] + (sorted(glob.glob(os.path.join(extra_dir, '*.conf'))) if extra_dir else [])
    for f in files:
        try:
            config.read(f)
        except configparser.DuplicateOptionError as e:
            raise Invalid('[%s] %s' % (e.section, e.option))
        except configparser.DuplicateSectionError as e:
            raise Invalid('[%s]' % e.section)
        except configparser.MissingSectionHeaderError as e:
            raise Invalid('line %d' % e.lineno)
        except configparser.ParsingError as e:
            raise Invalid('line %d' % e.errors[0][0])
    return config


def printed(config, keep):
    out = io.StringIO()
    for section in sorted(config):
        if not keep(section):
            continue
        out.write('[%s]\n' % section)
        try:
            for key, value in sorted(config[section].items()):
                out.write('%s = %s\n' % (key, value))
        except configparser.InterpolationError as e:
            raise Invalid('[%s] %s' % (e.section, e.option))
        out.write('\n')
    return out.getvalue()


def typed(config, section, checks):
    for option, kind in checks:
        try:
            if kind == 'int':
                config.getint(section, option)
            elif kind == 'float':
                config.getfloat(section, option)
            else:
                config.getboolean(section, option)
        except ValueError:
            raise Invalid('[%s] %s' % (section, option))


def loglevel(config, section):
    if config.get(section, 'loglevel').strip().upper() not in LEVELS:
        raise Invalid('[%s] loglevel' % section)


def check_pull(config):
    out = printed(config, lambda s: s in ('DEFAULT', 'pull'))
    loglevel(config, 'pull')
    typed(config, 'pull', PULL_TYPES)
    if config.getint('pull', 'buffer-limit') < 1:
        raise Invalid('[pull] buffer-limit')
    for url in config.get('pull', 'servers', fallback='').split(','):
        url = url.strip()
        if url and not re.fullmatch(r'unix:///.+|tcp://(\[[0-9A-Fa-f:.]+\]|[^\[\]:/]+):\d{1,5}', url):
            raise Invalid('[pull] servers')
    return out


def check_process(config):
    out = printed(config, lambda s: s != 'pull')
    loglevel(config, 'process')
    typed(config, 'process', PROCESS_TYPES)
    for option in ('frontend-metrics', 'backend-metrics', 'server-metrics'):
        value = config.get('process', option, fallback=None)
        if value is not None and not all(m in STAT_FIELDS for m in value.split()):
            raise Invalid('[process] %s' % option)
    typed(config, 'graphite', GRAPHITE_TYPES)
    namespace = config.get('graphite', 'group-namespace', fallback=None)
    present = [s for s in GROUP_SECTIONS if config.has_section(s)]
    if namespace is None and present:
        raise Invalid('[graphite] group-namespace')
    if namespace is not None:
        if not present:
            raise Invalid('[graphite] group-namespace')
        try:
            config.getboolean('graphite', 'group-namespace-double-writes')
        except (ValueError, configparser.NoOptionError):
            raise Invalid('[graphite] group-namespace-double-writes')
        for section in present:
            for option in config._sections[section]:  # own options only, not DEFAULT's
                try:
                    re.compile(config.get(section, option))
                except re.error:
                    raise Invalid('[%s] %s' % (section, option))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'resources', 'config-corpus')
    for old in glob.glob(os.path.join(corpus, '*.out')) + glob.glob(os.path.join(corpus, '*.err')):
        os.remove(old)
    for conf in sorted(glob.glob(os.path.join(corpus, '*.conf'))):
        stem = conf[:-len('.conf')]
        extra = stem + '.d' if os.path.isdir(stem + '.d') else None
        for daemon, check in (('pull', check_pull), ('process', check_process)):
            try:
                result, suffix = check(load(conf, extra)), 'out'
            except Invalid as e:
                result, suffix = '\n'.join(e.tokens) + '\n', 'err'
            with open('%s.%s.%s' % (stem, daemon, suffix), 'w') as f:
                f.write(result)
        print(os.path.basename(conf))


if __name__ == '__main__':
    main()
