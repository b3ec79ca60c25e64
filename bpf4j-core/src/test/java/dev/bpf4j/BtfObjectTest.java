package dev.bpf4j;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class BtfObjectTest {
    @Test
    void vmlinuxBtfIsObjectOneAndMatchesSysfs() throws Exception {
        assertTrue(BtfObject.ids().contains(1), BtfObject.ids().toString());
        try (BtfObject vmlinux = BtfObject.byId(1)) {
            BtfObjectInfo info = vmlinux.info();
            assertEquals(1, info.id());
            assertEquals("vmlinux", info.name());
            assertTrue(info.kernel());
            byte[] sysfs = Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"));
            assertEquals(sysfs.length, info.size());
            byte[] data = vmlinux.data();
            assertEquals(info.size(), data.length);
            assertEquals((byte) 0x9f, data[0]); // BTF magic 0xeB9F, little endian
            assertEquals((byte) 0xeb, data[1]);
        }
    }

    @Test
    void unknownBtfIdIsRefused() {
        BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> BtfObject.byId(Integer.MAX_VALUE));
        assertEquals("ENOENT", e.errnoName());
    }
}
