package io.sparkrnn.driver.corpus.sword;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The versification tables and the verse-index layout, against the real modules' index sizes and known slots. */
class VersificationTest {
    @Test
    void tablesMatchTheRealIndexes() {
        Versification kjv = Versification.of("KJV");
        Versification nrsva = Versification.of("nrsva");
        assertEquals(31102, kjv.verses());
        assertEquals(39, kjv.books(1).size());
        assertEquals(27, kjv.books(2).size());
        assertEquals(56, nrsva.books(1).size()); // the 39 and 17 deuterocanonical books, Tobit first
        assertEquals("Tob", nrsva.books(1).get(39).osis());
        assertEquals(ZTextFixture.KJV_OT, kjv.slots(1).length);
        assertEquals(ZTextFixture.KJV_NT, kjv.slots(2).length);
        assertEquals(ZTextFixture.NRSVA_OT, nrsva.slots(1).length);
        assertEquals(ZTextFixture.NRSVA_NT, nrsva.slots(2).length);
    }

    @Test
    void slotLayout() {
        VerseRef[] ot = Versification.of("KJV").slots(1);
        // 0 module heading, 1 testament heading, 2 Genesis, 3 Genesis 1, then its 31 verses, then Genesis 2's heading
        assertNull(ot[0]);
        assertNull(ot[1]);
        assertNull(ot[2]);
        assertNull(ot[3]);
        assertEquals(new VerseRef("Gen", 1, 1), ot[4]);
        assertEquals(new VerseRef("Gen", 1, 31), ot[34]);
        assertNull(ot[35]);
        assertEquals(new VerseRef("Gen", 2, 1), ot[36]);
        // Genesis takes 1 + 50 + 1533 slots after the two headings: Exodus's heading 1586, chapter 1 1587
        assertNull(ot[1586]);
        assertNull(ot[1587]);
        assertEquals(new VerseRef("Exod", 1, 1), ot[1588]);
        assertEquals(new VerseRef("Mal", 4, 6), ot[ot.length - 1]);
        VerseRef[] nt = Versification.of("KJV").slots(2);
        assertEquals(new VerseRef("Matt", 1, 1), nt[4]);
        assertEquals(new VerseRef("John", 11, 35), nt[3498]);
        assertEquals(new VerseRef("Rev", 22, 21), nt[nt.length - 1]);
        assertEquals(List.of("KJV", "NRSVA"), Versification.NAMES);
    }
}
