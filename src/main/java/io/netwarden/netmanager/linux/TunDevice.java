package io.netwarden.netmanager.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A TUN device opened from Java through the FFM API on {@code /dev/net/tun} ({@code IFF_TUN | IFF_NO_PI}: each read
 * is one IP packet, each write sends one into the kernel). Made in the network namespace of the thread that opens it.
 *
 * <pre>
 *   open(name) ─▶ open /dev/net/tun ─▶ ioctl TUNSETIFF {name, IFF_TUN|IFF_NO_PI} ─▶ the device (down; ip sets it up)
 *   read(buffer) ─▶ read (non-blocking) ─ nothing there ─▶ poll 200 ms (so that close is seen) ─▶ read:
 *                   one packet │ 0 on timeout │ -1 once closed
 *   write(packet) ─▶ one packet into the kernel (serialised: its native buffer is shared)
 * </pre>
 *
 * Thread safety: one reader thread; writes from any thread (synchronized).
 */
public final class TunDevice implements AutoCloseable {

    /** {@code _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    /** The largest packet read or written. */
    public static final int MAX_PACKET = 65_535;

    private final String name;
    private final int fd;
    /** Freed by the garbage collector once the device and its reader are gone (the reader may outlive close). */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment readBuffer = arena.allocate(MAX_PACKET);
    private final MemorySegment readState = Native.callState(arena);
    private final MemorySegment pollfd = arena.allocate(8);
    private final MemorySegment writeBuffer = arena.allocate(MAX_PACKET);
    private final MemorySegment writeState = Native.callState(arena);
    private volatile boolean closed;

    private TunDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Creates TUN device {@code name} (at most 15 characters) in the calling thread's network namespace. */
    public static TunDevice open(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length > 15) {
            throw new IllegalArgumentException("a device name is 1-15 characters");
        }
        int fd = Native.open("/dev/net/tun", Native.O_RDWR | Native.O_CLOEXEC | Native.O_NONBLOCK);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment ifreq = call.allocate(40); // struct ifreq: name[16], flags (short), padding
            MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI));
            Native.ioctl(fd, TUNSETIFF, ifreq, "ioctl TUNSETIFF " + name);
        } catch (RuntimeException e) {
            Native.close(fd);
            throw e;
        }
        return new TunDevice(name, fd);
    }

    public String name() {
        return name;
    }

    /**
     * Reads one packet into {@code into}: its length; 0 when none came within 200 ms; -1 once the device is closed.
     * Only one thread reads.
     */
    public int read(byte[] into) {
        if (closed) {
            return -1;
        }
        // non-blocking: under load a packet is there and one system call reads it; poll only when none is
        long n = Native.read(fd, readBuffer, readState);
        if (n == -11) { // EAGAIN
            if (!Native.readable(fd, 200, pollfd, readState)) {
                return closed ? -1 : 0;
            }
            n = Native.read(fd, readBuffer, readState);
        }
        if (n < 0) {
            if (closed) {
                return -1;
            }
            if (n == -4 || n == -11) { // EINTR, EAGAIN
                return 0;
            }
            throw new LinuxNetException("read from " + name + " failed: " + Native.describe((int) -n));
        }
        int length = (int) Math.min(n, into.length);
        MemorySegment.copy(readBuffer, ValueLayout.JAVA_BYTE, 0, into, 0, length);
        return length;
    }

    /** Writes one packet into the kernel; false when the kernel refused it (counted by the caller). */
    public synchronized boolean write(byte[] packet, int offset, int length) {
        if (closed || length > MAX_PACKET) {
            return false;
        }
        MemorySegment.copy(packet, offset, writeBuffer, ValueLayout.JAVA_BYTE, 0, length);
        return Native.write(fd, writeBuffer, length, writeState) == length; // EAGAIN (the kernel's queue full): dropped
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Native.close(fd); // the reader sees closed within its poll timeout; the buffers go when the device is collected
    }
}
