package dev.bpf4j;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityTableTest {
    @Test
    void equalKeysThatAreDifferentObjectsAreDifferentKeys() {
        IdentityTable<String, Integer> table = new IdentityTable<>();
        String a = new String("f");
        String b = new String("f");
        table.put(a, 1);
        assertEquals(1, table.get(a));
        assertNull(table.get(b));
        assertFalse(table.containsKey(b));
        table.put(b, 2);
        table.put(a, 3); // replaces
        assertEquals(3, table.get(a));
        assertEquals(2, table.get(b));
    }

    @Test
    void keepsEveryEntryPastTheLinearLimit() {
        IdentityTable<String, Integer> table = new IdentityTable<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < IdentityTable.LINEAR * 3; i++) {
            String k = new String("k"); // all equal, all distinct
            keys.add(k);
            table.put(k, i);
            if (i == IdentityTable.LINEAR - 1 || i == IdentityTable.LINEAR) {
                for (int j = 0; j <= i; j++) {
                    assertEquals(j, table.get(keys.get(j)), "entry " + j + " after " + (i + 1) + " puts");
                }
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            assertTrue(table.containsKey(keys.get(i)));
            assertEquals(i, table.get(keys.get(i)));
        }
        table.put(keys.get(5), -5);
        assertEquals(-5, table.get(keys.get(5)));
        assertNull(table.get(new String("k")));
    }
}
