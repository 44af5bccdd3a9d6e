package io.sparkrnn.engine.cell;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A per-thread arena for the temporaries of one time step: inside it, ND4J allocations are a pointer bump
 * instead of a native malloc with a deallocator, and everything is released when the step's scope closes.
 * Nothing allocated inside may outlive the step; results are written into arrays allocated outside.
 */
final class StepWorkspace {
    private static final String ID = "spark-rnn-step";
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(1L << 20)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(1.0)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .build();

    private StepWorkspace() {
    }

    static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
    }
}
