package org.pmxcfs.join;

import org.pmxcfs.files.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's answer to a lock it could not remove ({@link CfsLock.StuckLock}): try again every
 * second, as long as the lock is surely still ours ({@link CfsLock#SAFE_RELEASE_WINDOW}). Adding
 * the second node to a one-node cluster takes quorum away until that node joins, which it does
 * seconds after the answer; then the lock goes.
 */
public final class LockRetry implements CfsLock.StuckLock {

    private static final Logger log = LoggerFactory.getLogger("join");

    private final ScheduledExecutorService timer;
    private final LongSupplier clockMillis;

    public LockRetry(ScheduledExecutorService timer, LongSupplier clockMillis) {
        this.timer = timer;
        this.clockMillis = clockMillis;
    }

    @Override
    public void handle(String id, Path lock, long acquiredMillis, IOException error) {
        log.info("cfs lock '{}' cannot be released yet ({}) - retrying until the cluster is quorate", id,
                IoErrors.reason(error));
        timer.schedule(() -> retry(id, lock, acquiredMillis), 1, TimeUnit.SECONDS);
    }

    private void retry(String id, Path lock, long acquiredMillis) {
        try {
            Files.deleteIfExists(lock);
            log.info("released cfs lock '{}'", id);
        } catch (IOException e) {
            if (clockMillis.getAsLong() - acquiredMillis < CfsLock.SAFE_RELEASE_WINDOW.toMillis()) {
                timer.schedule(() -> retry(id, lock, acquiredMillis), 1, TimeUnit.SECONDS);
            } else {
                log.warn("giving up releasing cfs lock '{}' ({}) - it expires 120 s after quorum returns", id,
                        IoErrors.reason(e));
            }
        }
    }
}
