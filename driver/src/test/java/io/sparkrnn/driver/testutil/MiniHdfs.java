package io.sparkrnn.driver.testutil;

import java.io.File;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * The in-process HDFS of the tests on {@code hdfs://}: a MiniDFSCluster with one DataNode, its storage in a folder
 * of the test's. The test that starts one shuts it down ({@link MiniDFSCluster#shutdown}) in its {@code @AfterAll}.
 */
public final class MiniHdfs {
    private MiniHdfs() {
    }

    /** Starts a cluster storing under {@code base/minidfs} and returns it once its DataNode is up. */
    public static MiniDFSCluster start(File base) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "minidfs").getAbsolutePath());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            cluster.waitActive();
        } catch (IOException | RuntimeException e) {
            cluster.shutdown();
            throw e;
        }
        return cluster;
    }

    /** The cluster's root URI, {@code hdfs://127.0.0.1:<port>}. */
    public static String uri(MiniDFSCluster cluster) {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }
}
