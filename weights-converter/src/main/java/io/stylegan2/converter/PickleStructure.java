package io.stylegan2.converter;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks an unpickled structure before anything traverses it recursively: nesting depth, size
 * counted as a tree (so a "billion laughs" of shared references cannot make a later traversal
 * exponential), and cycles. Iterative (an explicit stack), so no input can overflow the thread's
 * stack here. Hand-written because it is a few lines over our own container types.
 */
final class PickleStructure {
    private PickleStructure() {}

    private static final Object VISITING = new Object();

    /**
     * @throws IOException naming {@code what} when the structure is deeper than {@code limits.maxDepth()},
     *                     larger than {@code limits.maxElements()}, or refers to itself
     */
    static void check(Object root, ReaderLimits limits, Object what) throws IOException {
        // per container: its tree size once finished (Long), or VISITING while on the current path
        Map<Object, Object> state = new IdentityHashMap<>();
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        long rootSize = 1;
        if (isContainer(root)) {
            stack.push(new Frame(root, children(root)));
            state.put(root, VISITING);
        }
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (stack.size() > limits.maxDepth())
                throw new IOException(what + ": the pickled structure is nested more than " + limits.maxDepth() + " levels deep" + ReaderLimits.raise("max-depth"));
            if (f.children.hasNext()) {
                Object c = f.children.next();
                if (!isContainer(c)) { f.size = add(f.size, 1, limits, what); continue; }
                Object s = state.get(c);
                if (s == VISITING) throw new IOException(what + ": the pickled structure contains itself (a reference cycle): refusing it");
                if (s != null) { f.size = add(f.size, (Long) s, limits, what); continue; }
                state.put(c, VISITING);
                stack.push(new Frame(c, children(c)));
            } else {
                stack.pop();
                state.put(f.node, f.size);
                if (stack.isEmpty()) rootSize = f.size;
                else stack.peek().size = add(stack.peek().size, f.size, limits, what);
            }
        }
        if (rootSize > limits.maxElements())
            throw new IOException(what + ": the pickled structure has more than " + limits.maxElements() + " elements" + ReaderLimits.raise("max-elements"));
    }

    private static long add(long a, long b, ReaderLimits limits, Object what) throws IOException {
        long s = a + b;
        if (s > limits.maxElements() || s < 0)
            throw new IOException(what + ": the pickled structure has more than " + limits.maxElements() + " elements (counting shared parts each time they are referenced)"
                    + ReaderLimits.raise("max-elements"));
        return s;
    }

    private static final class Frame {
        final Object node;
        final Iterator<?> children;
        long size = 1;

        Frame(Object node, Iterator<?> children) {
            this.node = node;
            this.children = children;
        }
    }

    static boolean isContainer(Object o) {
        return o instanceof Map || o instanceof Collection || o instanceof Object[] || o instanceof PickledObject;
    }

    private static Iterator<?> children(Object o) {
        if (o instanceof Map<?, ?> m) {
            List<Object> kv = new ArrayList<>(2 * m.size());    // keys and values; either may be null (None)
            m.forEach((k, v) -> { kv.add(k); kv.add(v); });
            return kv.iterator();
        }
        if (o instanceof Collection<?> c) return c.iterator();
        if (o instanceof Object[] a) return Arrays.asList(a).iterator();
        return ((PickledObject) o).state().values().iterator();
    }
}
