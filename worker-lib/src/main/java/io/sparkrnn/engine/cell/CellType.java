package io.sparkrnn.engine.cell;

/** The recurrent cells, with their number of gates (PyTorch's layout of {@code weight_ih}: gates*H rows). */
public enum CellType {
    /** Elman RNN with tanh: h' = tanh(W_ih x + b_ih + W_hh h + b_hh). */
    RNN_TANH(1),
    /** LSTM, gates i, f, g, o in PyTorch's order. */
    LSTM(4),
    /** GRU, gates r, z, n in PyTorch's form with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)). */
    GRU(3);

    private final int gates;

    CellType(int gates) {
        this.gates = gates;
    }

    public int gates() {
        return gates;
    }

    /** Whether the cell carries a second state vector (the LSTM's cell state c). */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /** Parses a name case-insensitively ("lstm", "gru", "rnn", "rnn_tanh"); unknown names list the choices. */
    public static CellType parse(String s) {
        String k = s.trim().toUpperCase(java.util.Locale.ROOT);
        if (k.equals("RNN") || k.equals("SIMPLERNN") || k.equals("SIMPLE_RNN")) {
            return RNN_TANH;
        }
        for (CellType c : values()) {
            if (c.name().equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cell type '" + s + "', expected one of lstm, gru, rnn");
    }
}
