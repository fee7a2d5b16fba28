package io.haproxystats.process.fleet;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.testing.KafkaRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The fleet page in a real browser: Debian's chromium, headless, driven by Selenium through
 * Debian's chromedriver (paths given: nothing is downloaded), against {@code haproxystats-fleet
 * serve} (the executable) reading a real broker fed by three real HAProxy load balancers behind
 * their pullers, edges and a central processor that also aggregates the cluster ({@link
 * FleetRig}). One set-up, checked in order: web-2 UP/READY on all three (its verdict OK) and the
 * cluster 3/3; web-2 disabled on lb3's admin socket turns its row to {@code lb3: DOWN/MAINT} and
 * the summary to critical without a reload; the JSON API agrees with {@code haproxystats-fleet
 * servers} (all servers, and {@code --server web-2}); the
 * filters survive a reload through the URL; lb3's puller stopped shows lb3 stale (the screenshot,
 * target/fleet-page.png, is taken then); a hostile server name renders as text.
 */
class FleetPageIT {

    private static final Path FLEET = PROCESS.resolveSibling("haproxystats-fleet");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void theFleetLiveInABrowser() throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are needed (setup.sh installs them)");
        try (FleetRig rig = new FleetRig(tmp, "[cluster]\naggregate = true\n")) {
            Path log = tmp.resolve("serve.log");
            Process serve = new ProcessBuilder(
                            FLEET.toString(), "serve", "-f", rig.fleetConf.toString(), "--listen", "127.0.0.1:0")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            WebDriver browser = null;
            try {
                String base = awaitUrl(log);
                browser = chromium(tmp.resolve("chromium-profile"), tmp.resolve("chromedriver.log"));
                WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
                // web-2 (the test HAProxy's one server without a failing health check): all three UP/READY,
                // its verdict OK; the cluster's windows 3 of 3 once the aggregation closed one.
                browser.get(base + "?server=web-2");
                wait.until(d -> statesOf(d, "web-2").equals(List.of("lb[1-3]: UP/READY")));
                wait.until(d -> summaryClass(d).equals("verdict ok"));
                assertTrue(text(browser, "verdict").startsWith("SERVERS OK: 1 server(s) UP/READY on lb[1-3]"));
                wait.until(d -> texts(d, "#clusters .window").contains("3/3"));
                ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

                // lb3's web-2 in maintenance: live, without a reload.
                HaproxyInstance.cli(rig.haproxies.get(2).socket(), "disable server be.app/web-2");
                wait.until(d -> statesOf(d, "web-2").equals(List.of("lb[1-2]: UP/READY", "lb3: DOWN/MAINT")));
                wait.until(d -> summaryClass(d).equals("verdict critical"));
                assertEquals("SERVERS CRITICAL: 1 server(s) MAINT or DOWN", text(browser, "verdict"));
                assertEquals("1", text(browser, "c-maint"));
                assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded;"));
                browser.get(base);
                wait.until(d -> servers(d).size() == 3);
                assertEquals("web-2", servers(browser).get(0), "problems first: " + servers(browser));

                // The JSON API says what the check says, for the same data.
                apiAgreesWithTheCheck(base, "", rig.fleetConf);
                apiAgreesWithTheCheck(base, "?server=web-2", rig.fleetConf, "--server", "web-2");

                // Filters in the URL: a reload keeps them.
                browser.findElement(By.id("f-server")).sendKeys("web-2");
                new Select(browser.findElement(By.id("f-state"))).selectByValue("problems");
                browser.findElement(By.cssSelector("#filters button")).click();
                wait.until(d -> d.getCurrentUrl().contains("server=web-2")
                        && d.getCurrentUrl().contains("state=problems"));
                browser.navigate().refresh();
                wait.until(d ->
                        d.findElement(By.id("f-server")).getAttribute("value").equals("web-2"));
                assertEquals(
                        "problems",
                        new Select(browser.findElement(By.id("f-state")))
                                .getFirstSelectedOption()
                                .getAttribute("value"));
                wait.until(d -> servers(d).equals(List.of("web-2")));

                // lb3 stops reporting: stale, on the open page.
                browser.get(base);
                ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
                Daemons.stop(rig.pullers.get("lb3"));
                wait.until(d -> texts(d, "#lbs tr.stale td.name").contains("lb3"));
                assertTrue(text(browser, "verdict").startsWith("SERVERS CRITICAL: "), "critical wins over stale");
                assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded;"));
                Path shot = Path.of("target", "fleet-page.png");
                Files.write(shot, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

                // A hostile name (HAProxy refuses such names; a record in the topic has whatever it was given).
                // No '/', space or control character in them: the reader refuses those records (the
                // key is lb/backend/server; docs/security.md); markup, quotes and length are shown as text.
                String server = "<script>window.pwned=1;\"'<img<b>bold<i>it" + "x".repeat(10_000);
                String backend = "be_\"'<b>bold";
                FleetRecord hostile = new FleetRecord(
                        "lb-<i>", backend, server, System.currentTimeMillis() / 1000, "web", List.of("DOWN/MAINT"));
                KafkaRecords.produce(
                        rig.bootstrap(),
                        List.of(new ProducerRecord<>(
                                "haproxystats.servers-state",
                                hostile.key().getBytes(StandardCharsets.UTF_8),
                                hostile.value().getBytes(StandardCharsets.UTF_8))));
                // Not of the topic's form (another producer's): left out, counted on the page.
                KafkaRecords.produce(
                        rig.bootstrap(),
                        List.of(new ProducerRecord<>(
                                "haproxystats.servers-state",
                                "lb-x/be_app/web-9".getBytes(StandardCharsets.UTF_8),
                                "yesterday web UP/READY".getBytes(StandardCharsets.UTF_8))));
                browser.get(base);
                wait.until(d -> !d.findElements(By.id("refused")).isEmpty());
                assertTrue(text(browser, "refused").startsWith("1 record of the servers-state topic left out"));
                String why = text(browser, "refused-records");
                assertTrue(
                        why.startsWith("haproxystats.servers-state-") && why.contains(": the epoch 'yesterday'"), why);
                browser.get(base + "?backend=" + java.net.URLEncoder.encode("be_\"'<b>", StandardCharsets.UTF_8));
                wait.until(d -> servers(d).equals(List.of(server)));
                assertEquals(List.of(backend), texts(browser, "#servers tbody td.backend"));
                assertEquals(List.of("lb-<i>: DOWN/MAINT"), statesOf(browser, server));
                assertEquals(0L, (Long)
                        js(browser, "return document.querySelectorAll('main script, main img, td b, td i').length;"));
                assertEquals(null, ((JavascriptExecutor) browser).executeScript("return window.pwned;"));
                WebDriver open = browser;
                assertThrows(
                        NoAlertPresentException.class, () -> open.switchTo().alert());
                assertEquals(
                        "be_\"'<b>", browser.findElement(By.id("f-backend")).getAttribute("value"));

                // The page's own link to Kafka lost (every daemon stopped first, then the broker): said, with the
                // data's age.
                for (Process p : rig.pullers.values()) {
                    p.destroy();
                }
                for (Process p : rig.daemons) {
                    Daemons.stop(p);
                }
                rig.kafka.stop(0);
                wait.until(d -> js(d, "return document.getElementById('kafka').className;")
                        .equals("lost"));
                assertTrue(text(browser, "kafka").startsWith("Kafka unreachable: data as of "), text(browser, "kafka"));
            } finally {
                if (browser != null) {
                    browser.quit();
                }
                serve.destroy();
                if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                    serve.destroyForcibly().waitFor();
                }
            }
            assertEquals(0, serve.exitValue(), Daemons.read(log));
        }
    }

    /** Chromium headless with the flags a machine without internet needs, a fresh profile, Debian's driver. */
    static ChromeDriver chromium(Path profile, Path driverLog) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(driverLog.toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    /** The address the server says it listens on. */
    private static String awaitUrl(Path log) throws InterruptedException {
        Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+/)");
        String[] url = {null};
        Wait.until(
                WAIT,
                () -> {
                    Matcher m = listening.matcher(Daemons.read(log));
                    if (m.find()) {
                        url[0] = m.group(1);
                    }
                    return url[0] != null;
                },
                "haproxystats-fleet serve to listen: " + Daemons.read(log));
        return url[0];
    }

    /**
     * What the page shows, read in one script: the live part is replaced as updates come, so an
     * element found in one call may be gone by the next.
     */
    @SuppressWarnings("unchecked")
    private static <T> T js(WebDriver d, String script, Object... args) {
        return (T) ((JavascriptExecutor) d).executeScript(script, args);
    }

    private static String text(WebDriver d, String id) {
        return js(d, "return document.getElementById(arguments[0]).textContent;", id);
    }

    private static String summaryClass(WebDriver d) {
        return js(d, "return document.getElementById('summary').className;");
    }

    private static List<String> texts(WebDriver d, String selector) {
        return js(d, "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);", selector);
    }

    /** The state lines of a server's row, as the page shows them. */
    private static List<String> statesOf(WebDriver d, String server) {
        return js(
                d,
                "for (const r of document.querySelectorAll('#servers tbody tr')) {"
                        + " if (r.querySelector('td.server').textContent === arguments[0])"
                        + " return Array.from(r.querySelectorAll('td.states .st')).map(e => e.textContent); }"
                        + " return [];",
                server);
    }

    private static List<String> servers(WebDriver d) {
        return texts(d, "#servers tbody td.server");
    }

    /**
     * {@code /api/servers} and {@code haproxystats-fleet servers} on the same data: the same exit code
     * and status line, and each server's state lines rebuilt from the JSON are the check's lines
     * (waited for: a poll may arrive between the two reads).
     */
    private void apiAgreesWithTheCheck(String base, String query, Path conf, String... options) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String[] last = {""};
        try {
            Wait.until(
                    WAIT,
                    () -> {
                        try {
                            List<String> cmd =
                                    new ArrayList<>(List.of(FLEET.toString(), "servers", "-f", conf.toString()));
                            cmd.addAll(List.of(options));
                            Process p = new ProcessBuilder(cmd)
                                    .redirectErrorStream(true)
                                    .start();
                            String check = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                            String json = http.send(
                                            HttpRequest.newBuilder(URI.create(base + "api/servers" + query))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .body();
                            last[0] = "check (exit " + p.exitValue() + "):\n" + check + "\napi:\n" + json;
                            List<String> lines = check.lines().toList();
                            return json.startsWith("{\"status\":" + FleetPage.json(lines.get(0)) + ",\"exitCode\":"
                                            + p.exitValue() + ",")
                                    && p.exitValue() == 2
                                    && sorted(linesOf(json)).equals(sorted(lines.subList(1, lines.size())));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    },
                    "the API" + query + " to agree with the check " + String.join(" ", options));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last: " + last[0], e);
        }
        assertFalse(last[0].isEmpty());
    }

    /** The check's lines rebuilt from the API's servers: {@code folded: backend/server: state}. */
    static List<String> linesOf(String json) {
        List<String> out = new ArrayList<>();
        Matcher server = Pattern.compile(
                        "\\{\"backend\":\"([^\"]*)\",\"server\":\"([^\"]*)\",\"problem\":(?:true|false),"
                                + "\"oldestEpoch\":\\d+,\"states\":\\[(.*?)\\]\\}(?=,\\{\"backend\"|\\]\\})")
                .matcher(json);
        Pattern state = Pattern.compile("\\{\"state\":\"([^\"]*)\",\"folded\":\"([^\"]*)\"");
        while (server.find()) {
            Matcher s = state.matcher(server.group(3));
            while (s.find()) {
                out.add(s.group(2) + ": " + server.group(1) + "/" + server.group(2) + ": " + s.group(1));
            }
        }
        return out;
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }
}
