package io.stylegan2.converter;

import java.io.IOException;

/**
 * A pickle referenced a Python global (module.name) that is not on the converter's allow-list, or
 * used a construct the restricted unpickler does not support. Nothing named in the pickle is ever
 * executed: the load stops at the first such reference.
 *
 * <p><b>Thread safety:</b> Immutable after construction; safe to share between threads.
 */
public class UnsafePickleException extends IOException {
    private final String global;

    /**
     * @param global  the offending {@code module.name} (or a description of the construct)
     * @param message the full message
     */
    public UnsafePickleException(String global, String message) {
        super(message);
        this.global = global;
    }

    /** The offending {@code module.name}. */
    public String global() {
        return global;
    }
}
