package io.stylegan2.converter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python object rebuilt from a pickle as plain data: its class name and its state (the
 * {@code __dict__}). Used for NVIDIA persistent modules ({@code training.networks.Generator}, ...),
 * {@code argparse.Namespace} and similar. No code of the original class is ever run.
 *
 * <p><b>Thread safety:</b> Not thread-safe: {@link #state()} is a live, unsynchronised map filled
 * while unpickling; once loaded it may be shared for reading as long as no thread mutates it.
 */
public final class PickledObject {
    private final String className;
    private final Map<String, Object> state = new LinkedHashMap<>();

    /** @param className fully qualified or bare class name, e.g. {@code training.networks.Generator} */
    public PickledObject(String className) {
        this.className = className;
    }

    /** Class name as found in the pickle. */
    public String className() {
        return className;
    }

    /** The object's attributes (mutable while unpickling). */
    public Map<String, Object> state() {
        return state;
    }

    /** {@code state()['_init_kwargs']} of an NVIDIA persistent object, or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> initKwargs() {
        Object k = state.get("_init_kwargs");
        return k instanceof Map ? (Map<String, Object>) k : Map.of();
    }

    @Override
    public String toString() {
        return "PickledObject[" + className + ", keys=" + state.keySet() + "]";
    }
}
