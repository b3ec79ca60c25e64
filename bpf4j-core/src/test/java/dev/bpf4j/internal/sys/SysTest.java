package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfException;
import dev.bpf4j.BpfSyscallException;
import dev.bpf4j.MapType;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysTest {
    @Test
    void architecturesHaveTheirOwnNumbers() {
        assertEquals(321, SyscallNumbers.forArch("Linux", "amd64").bpf());
        assertEquals(280, SyscallNumbers.forArch("Linux", "aarch64").bpf());
        BpfException e = assertThrows(BpfException.class, () -> SyscallNumbers.forArch("Linux", "riscv64"));
        assertTrue(e.getMessage().contains("riscv64"), e.getMessage());
        assertThrows(BpfException.class, () -> SyscallNumbers.forArch("Mac OS X", "aarch64"));
    }

    @Test
    void cpuListsCountToTheHighestIndex() {
        assertEquals(1, CpuList.count("0\n"));
        assertEquals(4, CpuList.count("0-3"));
        assertEquals(9, CpuList.count("0-3,8"));
        assertThrows(BpfException.class, () -> CpuList.count("x-y"));
    }

    @Test
    void pageSizeComesFromTheAuxiliaryVector() throws Exception {
        // The kernel reports each mapping's page size in /proc/self/smaps.
        String smaps = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/smaps"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("KernelPageSize:\\s+(\\d+) kB").matcher(smaps);
        assertTrue(m.find(), "smaps has KernelPageSize");
        assertEquals(Integer.parseInt(m.group(1)) * 1024, Sys.pageSize());
    }

    @Test
    void memlockIsChargedBefore511Only() {
        assertTrue(Memlock.kernelChargesMemlock("5.10.0-20-amd64"));
        assertTrue(Memlock.kernelChargesMemlock("4.19.0"));
        assertFalse(Memlock.kernelChargesMemlock("5.11.0"));
        assertFalse(Memlock.kernelChargesMemlock("6.18.44-fc-v1300"));
    }

    @Test
    void errnoNamesAndHints() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("errno 4000", Errno.name(4000));
        assertEquals("needs root or CAP_BPF (with CAP_PERFMON/CAP_NET_ADMIN for some types)",
                ErrorHints.hint("BPF_MAP_CREATE", Errno.EPERM, false));
        assertTrue(ErrorHints.hint("BPF_PROG_LOAD", Errno.EPERM, true).startsWith("refused although this process is root"));
        BpfSyscallException e = Syscall.failure("BPF_MAP_CREATE", Errno.EPERM);
        assertTrue(e.getMessage().startsWith("BPF_MAP_CREATE failed: EPERM (Operation not permitted): "),
                e.getMessage());
        assertEquals(ErrorHints.hint("BPF_MAP_CREATE", Errno.EPERM), e.hint());
        assertTrue(Syscall.failure("BPF_PROG_LOAD", Errno.E2BIG).hint().contains("does not know"));
    }

    @Test
    @KernelTest
    void realSyscallsReturnResultsAndErrnos() {
        assertEquals(ProcessHandle.current().pid(), Sys.getpid());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.MapCreate.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, MapType.ARRAY.value());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, 4);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, 0); // invalid
            BpfSyscallException e = assertThrows(BpfSyscallException.class,
                    () -> Bpf.call(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE));
            assertEquals("EINVAL", e.errnoName());
            assertEquals("BPF_MAP_CREATE", e.call());
            assertEquals(-Errno.EINVAL, Bpf.tryCall(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE));

            int before = FdCount.open();
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, 1);
            try (Fd fd = new Fd(Bpf.call(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE), "test map")) {
                assertTrue(fd.get() > 2);
                assertEquals(before + 1, FdCount.open());
            }
            assertEquals(before, FdCount.open());
        }
    }

    @Test
    void closedFdIsRefusedByName() {
        Fd fd = new Fd(Integer.MAX_VALUE, "map 'counts'");
        // Closing an fd number that is not open is harmless; afterwards use is refused by name.
        fd.close();
        BpfException e = assertThrows(BpfException.class, fd::get);
        assertEquals("map 'counts' is closed", e.getMessage());
    }
}
