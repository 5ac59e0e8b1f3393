package io.netwarden.netmanager.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the tunnel needs, through the FFM API (no JNI, no native helper): {@code open}, {@code ioctl},
 * {@code read}, {@code write}, {@code close}, {@code setns}; each failure is a {@link LinuxNetException} with the
 * call's name and {@code errno}'s text. Linux x86-64 and aarch64 (the layouts are the same there).
 *
 * Thread safety: the handles are immutable; each call captures its own errno.
 */
final class Native {

    static final int O_RDWR = 2;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800;
    static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT), CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE);
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE);
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            CAPTURE);
    private static final MethodHandle SETNS = handle("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT), CAPTURE);
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), CAPTURE);
    private static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));

    private Native() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** errno's text, as strerror gives it. */
    static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }

    private static LinuxNetException failure(String call, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        return new LinuxNetException(call + " failed: " + describe(errno) + " (errno " + errno + ")");
    }

    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            if (fd < 0) {
                throw failure("open " + path, state);
            }
            return fd;
        } catch (LinuxNetException e) {
            throw e;
        } catch (Throwable e) {
            throw new LinuxNetException("open " + path + ": " + e);
        }
    }

    static void ioctl(int fd, long request, MemorySegment argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) IOCTL.invokeExact(state, fd, request, argument);
            if (result < 0) {
                throw failure(what, state);
            }
        } catch (LinuxNetException e) {
            throw e;
        } catch (Throwable e) {
            throw new LinuxNetException(what + ": " + e);
        }
    }

    /** Reads into {@code buffer}; the byte count, or -errno. */
    static long read(int fd, MemorySegment buffer, MemorySegment state) {
        try {
            long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
            return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
        } catch (Throwable e) {
            throw new LinuxNetException("read: " + e);
        }
    }

    /** Writes {@code length} bytes of {@code buffer}; the byte count, or -errno. */
    static long write(int fd, MemorySegment buffer, long length, MemorySegment state) {
        try {
            long n = (long) WRITE.invokeExact(state, fd, buffer, length);
            return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
        } catch (Throwable e) {
            throw new LinuxNetException("write: " + e);
        }
    }

    /** A buffer for the errno of {@link #read} and {@link #write}; one per thread that calls them. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static final short POLLIN = 1;

    /**
     * Waits up to {@code millis} for {@code fd} to be readable: true when it is (or has an error to read), false on
     * timeout or a signal.
     */
    static boolean readable(int fd, int millis, MemorySegment pollfd, MemorySegment state) {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            int n = (int) POLL.invokeExact(state, pollfd, 1L, millis);
            return n > 0;
        } catch (Throwable e) {
            throw new LinuxNetException("poll: " + e);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            // closing is best effort
        }
    }

    static void setns(int fd, int type, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) SETNS.invokeExact(state, fd, type);
            if (result < 0) {
                throw failure("setns " + what, state);
            }
        } catch (LinuxNetException e) {
            throw e;
        } catch (Throwable e) {
            throw new LinuxNetException("setns " + what + ": " + e);
        }
    }
}
