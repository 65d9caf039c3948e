package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The cluster web page in a real browser (Debian's chromium, headless, through chromium-driver):
 * on a three-node {@code scripts/cluster} cluster log in (a wrong password first) and see three
 * nodes online; then on a fresh node create a cluster, copy its join information, join a second
 * fresh node through its page (an unreachable node, a wrong fingerprint and a wrong password
 * first, each shown at its field) and see it appear, then a third: a three-node cluster formed
 * in the browser. Every step leaves a
 * screenshot in {@code target/web-screenshots/}.
 */
class WebPageTest {

    /** ClusterTestBase's scheme for class indices 15 (scripts/cluster) and 16 (the fresh nodes). */
    static final int CLUSTER_BASE_PORT = 16250;
    static final int FRESH_CLUSTER_PORT = 16260;
    /** The API/web port of every node; chromedriver's port. */
    static final int WEB_PORT = 17700;
    static final int DRIVER_PORT = 17790;
    static final Path SHOTS = Path.of("target", "web-screenshots");
    static final Duration STEP = Duration.ofSeconds(30);
    static final Duration TASK = Duration.ofSeconds(150);

    @TempDir
    Path tmp;

    private Path clusterDir;
    private PvecmNodes fresh;
    private WebDriver browser;
    private final StringBuilder scriptOutput = new StringBuilder();

    @AfterEach
    void cleanUp() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fresh != null) {
            fresh.close();
            fresh.keepLogs(Path.of("target", "pvecm-logs", "WebPageTest"));
        }
        if (clusterDir != null) {
            script(List.of(ClusterScriptTest.script().toString(), "down", clusterDir.toString()), Map.of());
        }
    }

    /** Two clusters, six daemons, a create and five joins: more than the default 120 s. */
    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void formAClusterFromTheBrowser() throws Exception {
        fresh = new PvecmNodes(tmp.resolve("fresh"), FRESH_CLUSTER_PORT, WEB_PORT);
        Path shadow = fresh.dir.resolve("shadow");
        Path pvecm = fresh.dir.resolve("pvecm");
        clusterDir = tmp.resolve("cluster");
        Map<String, String> env = Map.of("PMXCFS_API_PORT", Integer.toString(WEB_PORT),
                "PMXCFS_SHADOW_FILE", shadow.toString(), "PMXCFS_PVECM", pvecm.toString());
        try {
            int rc = script(List.of(ClusterScriptTest.script().toString(), "up", "3", clusterDir.toString(),
                    "--base-port", Integer.toString(CLUSTER_BASE_PORT)), env);
            assertEquals(0, rc, "scripts/cluster up:\n" + scriptOutput);
            for (int k = 1; k <= 3; k++) {
                rc = script(List.of(pvecm.toString(), "--run-dir", clusterDir.resolve("node" + k + "/run").toString(),
                        "updatecerts", "--ca-key-bits", "2048"), Map.of());
                assertEquals(0, rc, "updatecerts on node" + k + ":\n" + scriptOutput);
            }
            fresh.startAll(4, 5, 6);
            for (int k = 4; k <= 6; k++) {
                PvecmNodes.Node n = fresh.node(k);
                PvecmNodes.Result r = n.pvecm(null, "updatecerts", "--ca-key-bits", "2048", "--node-ip", n.ip);
                assertEquals(0, r.exit(), "updatecerts on " + n + ":\n" + r);
            }
            for (String ip : List.of("127.0.0.1", "127.0.0.4", "127.0.0.5", "127.0.0.6")) {
                assertTrue(Daemon.poll(15_000, 100, () -> PvecmNodes.listening(ip, WEB_PORT)), "web page on " + ip);
            }
            browser = chromium();
            Files.createDirectories(SHOTS);

            // the three-node cluster: a wrong password is refused next to the field, the right one shows the nodes
            login("127.0.0.1", "not-the-password");
            waitFor("the login error", () -> text("err-login-password").startsWith("Login failed"));
            shot("01-login-wrong-password");
            login("127.0.0.1", PvecmNodes.ROOT_PASSWORD);
            waitFor("three nodes online", () -> onlineNodes() == 3);
            assertEquals("try", text("info-name"));
            assertTrue(text("info-quorum").startsWith("Yes"), text("info-quorum"));
            assertEquals("expected 3, total 3, quorum 2", text("info-votes"));
            shot("02-cluster-three-nodes");

            // a fresh node creates a cluster
            login("127.0.0.4", PvecmNodes.ROOT_PASSWORD);
            waitFor("the standalone node", () -> text("info-name").startsWith("Standalone node"));
            click("btn-create");
            type("create-clustername", "webtry");
            type("create-link0", "127.0.0.4");
            shot("03-create-dialog");
            click("create-submit");
            String createLog = awaitTask();
            assertTrue(createLog.contains("waiting for quorum...OK"), createLog);
            shot("04-create-task");
            click("task-close");
            waitFor("the new cluster", () -> text("info-name").equals("webtry") && onlineNodes() == 1);

            click("btn-joininfo");
            waitFor("the join information", () -> !value("joininfo-text").isEmpty());
            click("joininfo-copy");
            waitFor("the copy", () -> text("joininfo-copied").startsWith("Copied"));
            String info = value("joininfo-text");
            String json = new String(java.util.Base64.getDecoder().decode(info), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"ipAddress\":\"127.0.0.4\"") && json.contains("\"peerLinks\":{\"0\":\"127.0.0.4\"}")
                    && json.contains("\"ring_addr\":[\"127.0.0.4\"]") && json.contains("\"cluster_name\":\"webtry\""), json);
            assertTrue(json.contains("\"fingerprint\":\"" + PvecmNodes.fingerprint(fresh.node(4).cert()) + "\""), json);
            assertTrue(json.contains("\"totem\":{") && json.contains("\"interface\":{\"0\":{\"linknumber\":\"0\"}}"), json);
            shot("05-join-information");

            // the second fresh node joins through its page; an unreachable node, another
            // certificate and a wrong password are each shown at the field to change
            login("127.0.0.5", PvecmNodes.ROOT_PASSWORD);
            waitFor("the standalone node", () -> text("info-name").startsWith("Standalone node"));
            click("btn-join");
            String fp = PvecmNodes.fingerprint(fresh.node(4).cert());
            type("join-info", encode(json.replace("\"ipAddress\":\"127.0.0.4\"", "\"ipAddress\":\"127.0.0.9\"")));
            type("join-password", PvecmNodes.ROOT_PASSWORD);
            waitFor("the peer from the join information", () -> text("join-peer").equals("127.0.0.9"));
            type("join-link0", "127.0.0.5");
            click("join-submit");
            waitFor("the unreachable node", TASK, () -> text("err-join-info").startsWith("node 127.0.0.9 is unreachable"));
            String otherFp = (fp.startsWith("00") ? "11" : "00") + fp.substring(2);
            type("join-info", encode(json.replace(fp, otherFp)));
            type("join-password", PvecmNodes.ROOT_PASSWORD);
            waitFor("the peer from the join information", () -> text("join-fp").equals(otherFp));
            click("join-submit");
            waitFor("the fingerprint mismatch", TASK, () -> text("err-join-info").startsWith("fingerprint mismatch"));
            type("join-info", info);
            type("join-password", "wrong-password");
            waitFor("the peer from the join information", () -> text("join-peer").equals("127.0.0.4"));
            click("join-submit");
            waitFor("the join dialog back with the error", TASK,
                    () -> text("err-join-password").startsWith("wrong password for 127.0.0.4"));
            shot("06-join-wrong-password");
            type("join-password", PvecmNodes.ROOT_PASSWORD);
            click("join-submit");
            String joinLog = awaitTask();
            assertTrue(joinLog.contains("successfully added node 'node5' to cluster."), joinLog);
            shot("07-join-task");
            click("task-close");
            waitFor("two nodes online on node5's page", TASK, () -> text("info-name").equals("webtry") && onlineNodes() == 2);
            shot("08-joined");

            // a third fresh node joins with the same information: three nodes formed in the browser
            login("127.0.0.6", PvecmNodes.ROOT_PASSWORD);
            waitFor("the standalone node", () -> text("info-name").startsWith("Standalone node"));
            click("btn-join");
            type("join-info", info);
            type("join-password", PvecmNodes.ROOT_PASSWORD);
            waitFor("the peer from the join information", () -> text("join-peer").equals("127.0.0.4"));
            type("join-link0", "127.0.0.6");
            click("join-submit");
            assertTrue(awaitTask().contains("successfully added node 'node6' to cluster."));
            click("task-close");
            login("127.0.0.4", PvecmNodes.ROOT_PASSWORD);
            waitFor("three nodes online on node4's page", TASK, () -> onlineNodes() == 3 && text("info-version").equals("3"));
            assertEquals("expected 3, total 3, quorum 2", text("info-votes"));
            shot("09-three-nodes-from-the-browser");
        } catch (Throwable t) {
            if (browser != null) {
                shot("failure");
            }
            t.addSuppressed(new MountTestBase.DaemonOutput(scriptOutput + "\n" + fresh.allOutput()));
            throw t;
        }
    }

    private static String encode(String json) {
        return java.util.Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private WebDriver chromium() {
        File driver = new File("/usr/bin/chromedriver");
        File binary = new File("/usr/lib/chromium/chromium");
        assertTrue(driver.canExecute() && binary.canExecute(),
                "chromium and chromium-driver are needed - install them with scripts/setup");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(binary);
        // without these, chromium reaches out to the network at start
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + tmp.resolve("chromium"), "--ignore-certificate-errors", "--window-size=1280,860");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
                .usingPort(DRIVER_PORT).build();
        return new ChromeDriver(service, o);
    }

    private void login(String ip, String password) {
        browser.get("https://" + ip + ":" + WEB_PORT + "/");
        waitFor("the page on " + ip, () -> browser.findElement(By.id("login-view")).isDisplayed()
                || browser.findElement(By.id("cluster-view")).isDisplayed());
        if (browser.findElement(By.id("cluster-view")).isDisplayed()) {
            click("logout");
        }
        type("login-user", "root@pam");
        type("login-password", password);
        click("login-submit");
    }

    /** Waits for the task viewer to end; its log. The task must have succeeded. */
    private String awaitTask() {
        waitFor("the task to end", TASK, () -> {
            String s = text("task-status");
            return s.equals("OK") || s.startsWith("Error");
        });
        String log = browser.findElement(By.id("task-log")).getText();
        assertEquals("OK", text("task-status"), log);
        assertTrue(log.endsWith("TASK OK"), log);
        return log;
    }

    private int onlineNodes() {
        return browser.findElements(By.cssSelector("#nodes td.online")).size();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private String value(String id) {
        return browser.findElement(By.id(id)).getAttribute("value");
    }

    private void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    private void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    private void waitFor(String what, java.util.function.BooleanSupplier condition) {
        waitFor(what, STEP, condition);
    }

    private void waitFor(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
                // the page is being redrawn: look again
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private void shot(String name) throws IOException {
        File f = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs a command (bounded to 120 s) with {@code env} added; its output goes to {@link #scriptOutput}. */
    private int script(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread pump = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the command is gone
            }
        });
        pump.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 120 s");
        }
        pump.join(5000);
        scriptOutput.append("$ ").append(String.join(" ", command)).append('\n').append(out);
        return p.exitValue();
    }
}
