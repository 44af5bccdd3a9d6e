package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.ipc.RemoteException;
import org.junit.jupiter.api.Test;

class CliTest {

    @Test
    void aStorageErrorIsOneLineWithoutTheNameNodesStackTrace() {
        String remote = "File /runs/x/checkpoints/_tmp-ckpt-000003-1/model.json could only be written to 0 of the 1 "
                + "minReplication nodes.\n\tat org.apache.hadoop.hdfs.server.blockmanagement.BlockManager"
                + ".chooseTarget4NewBlock(BlockManager.java:2315)\n\tat org.apache.hadoop.ipc.Server$Handler.run("
                + "Server.java:2976)\n";
        IOException cause = new RemoteException("java.io.IOException", remote);
        IOException writing = new IOException("writing hdfs://nn/runs/x/checkpoints/_tmp-ckpt-000003-1/model.json: "
                + remote, cause);
        UncheckedIOException top = new UncheckedIOException("cannot write to hdfs://nn/runs/x", writing);

        assertEquals("cannot write to hdfs://nn/runs/x: writing hdfs://nn/runs/x/checkpoints/_tmp-ckpt-000003-1/"
                + "model.json: File /runs/x/checkpoints/_tmp-ckpt-000003-1/model.json could only be written to 0 of "
                + "the 1 minReplication nodes.", Cli.messages(top));
    }

    @Test
    void aCauseWithoutAMessageIsNamedByItsClass() {
        assertEquals("cannot read x: EOFException",
                Cli.messages(new IOException("cannot read x", new java.io.EOFException())));
    }
}
