package io.sparkrnn.engine.testutil;

import io.sparkrnn.engine.tensor.BlasKernels;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Chooses the BLAS kernels before any test loads ND4J, so that the tests run the kernels the product runs. */
public final class BlasKernelsSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        BlasKernels.configure();
    }
}
