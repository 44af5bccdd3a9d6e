package io.sparkrnn.driver.corpus.sword;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zText reader on modules built from a real slice of the KJV and WEB modules, and on damaged copies. */
class SwordModuleTest {
    static final String KJV = "engKJV2006eb";
    static final String WEB = "engWEB2015eb";

    static void writeBoth(Path root) throws Exception {
        ZTextFixture.write(root, KJV, "KJV", ZTextFixture.KJV_OT, ZTextFixture.KJV_NT);
        ZTextFixture.write(root, WEB, "NRSVA", ZTextFixture.NRSVA_OT, ZTextFixture.NRSVA_NT);
    }

    @Test
    void readsEveryVerseOfTheSliceAtItsReference(@TempDir Path root) throws Exception {
        writeBoth(root);
        for (String module : List.of(KJV, WEB)) {
            SwordModule m = SwordModule.read(ZTextFixture.files(root), module);
            Map<String, String> expected = new LinkedHashMap<>();
            for (ZTextFixture.Verse v : ZTextFixture.slice()) {
                if (v.module().equals(module)) {
                    expected.put(v.ref(), v.osis());
                }
            }
            Map<String, String> got = new LinkedHashMap<>();
            m.verses().forEach((r, t) -> got.put(r.toString(), t));
            assertEquals(expected.keySet().stream().sorted().toList(), got.keySet().stream().sorted().toList());
            assertEquals(expected, got);
        }
        SwordModule kjv = SwordModule.read(ZTextFixture.files(root), KJV);
        assertEquals("KJV", kjv.versification().name());
        // canonical order: Old Testament first, Revelation's last verse last
        assertEquals(List.of("Gen.1.1", "Exod.6.3", "Ps.3.1", "Mal.4.6", "Matt.1.1", "John.11.35", "Rev.22.21"),
                kjv.verses().keySet().stream().map(VerseRef::toString).toList());
        assertEquals("Jesus wept.", OsisText.plain(kjv.verses().get(new VerseRef("John", 11, 35))));
    }

    @Test
    void alignsTheTwoModulesByReference(@TempDir Path root) throws Exception {
        writeBoth(root);
        SwordModule kjv = SwordModule.read(ZTextFixture.files(root), KJV);
        SwordModule web = SwordModule.read(ZTextFixture.files(root), WEB);
        VersePairs p = VersePairs.align(kjv, web);
        assertEquals(List.of("Gen.1.1", "Exod.6.3", "Ps.3.1", "Mal.4.6", "Matt.1.1", "John.11.35", "Rev.22.21"),
                p.pairs().stream().map(x -> x.ref().toString()).toList());
        assertEquals(0, p.sourceOnly());
        assertEquals(2, p.targetOnly()); // Tobit 1:1 (deuterocanon) and Song 1:2 are in the slice of the WEB only
        String tsv = p.tsv();
        assertTrue(tsv.startsWith("Gen.1.1\tIn the beginning God created the heaven and the earth.\tIn the "
                + "beginning, God created the heavens and the earth.\n"), tsv);
        assertTrue(tsv.contains("\nJohn.11.35\tJesus wept.\tJesus wept.\n"), tsv);
        // the WEB's glossary after the last verse and its footnotes are not verse text
        assertTrue(tsv.endsWith("\nRev.22.21\tThe grace of our Lord Jesus Christ be with you all. Amen.\tThe grace of "
                + "the Lord Jesus Christ be with all the saints. Amen.\n"), tsv);
        assertTrue(tsv.contains("\nMatt.1.1\tThe book of the generation of Jesus Christ, the son of David, the son of "
                + "Abraham.\tThe book of the genealogy of Jesus Christ, the son of David, the son of Abraham.\n"), tsv);
        // a psalm's superscription is a title: dropped on both sides
        assertTrue(tsv.contains("\nPs.3.1\tLORD, how are they increased that trouble me! many are they that rise up "
                + "against me.\tYahweh, how my adversaries have increased! Many are those who rise up against me.\n"),
                tsv);
        assertEquals(7, tsv.lines().count());
        assertTrue(tsv.lines().allMatch(l -> l.split("\t", -1).length == 3));
        assertTrue(web.verses().containsKey(new VerseRef("Tob", 1, 1)));
        assertFalse(kjv.verses().containsKey(new VerseRef("Tob", 1, 1)));
    }

    @Test
    void truncatedBlocksNameTheFileAndOffset(@TempDir Path root) throws Exception {
        writeBoth(root);
        Path bzz = root.resolve("modules/texts/ztext/engkjv2006eb/nt.bzz");
        byte[] b = Files.readAllBytes(bzz);
        Files.write(bzz, java.util.Arrays.copyOf(b, b.length - 20));
        CorpusException e = assertThrows(CorpusException.class,
                () -> SwordModule.read(ZTextFixture.files(root), KJV));
        assertTrue(e.getMessage().startsWith(bzz + ": block 1 (" + root.resolve("modules/texts/ztext/engkjv2006eb/"
                + "nt.bzs") + " at offset 12) spans bytes "), e.getMessage());
        assertTrue(e.getMessage().contains("past the end of the file (" + (b.length - 20) + " bytes)"),
                e.getMessage());
    }

    @Test
    void aShortOrForeignIndexIsRefused(@TempDir Path root) throws Exception {
        writeBoth(root);
        Path bzv = root.resolve("modules/texts/ztext/engkjv2006eb/ot.bzv");
        Files.write(bzv, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        CorpusException e = assertThrows(CorpusException.class,
                () -> SwordModule.read(ZTextFixture.files(root), KJV));
        assertEquals(bzv + ": " + (10 * ZTextFixture.KJV_OT + 3) + " bytes, not whole 10-byte entries: truncated "
                + "or damaged at offset " + 10 * ZTextFixture.KJV_OT, e.getMessage());
        // the WEB's index read as KJV versification: 31027 entries where the KJV has 24115 slots
        Path conf = root.resolve("mods.d/engweb2015eb.conf");
        Files.writeString(conf, Files.readString(conf).replace("Versification=NRSVA", "Versification=KJV"));
        e = assertThrows(CorpusException.class, () -> SwordModule.read(ZTextFixture.files(root), WEB));
        assertTrue(e.getMessage().startsWith(root.resolve("modules/texts/ztext/engweb2015eb/ot.bzv")
                + ": 31027 index entries, versification KJV has 24115 slots for the Old Testament"), e.getMessage());
        Files.writeString(conf, Files.readString(conf).replace("Versification=KJV", "Versification=Vulg"));
        e = assertThrows(CorpusException.class, () -> SwordModule.read(ZTextFixture.files(root), WEB));
        assertEquals(conf + ": versification Vulg: no tables for it (known: KJV, NRSVA)", e.getMessage());
        e = assertThrows(CorpusException.class, () -> SwordModule.read(ZTextFixture.files(root), "engASV"));
        assertTrue(e.getMessage().contains("engASV.conf: no such file"), e.getMessage());
    }

    @Test
    void aVerseBeyondItsBlockIsRefused(@TempDir Path root) throws Exception {
        writeBoth(root);
        Path bzv = root.resolve("modules/texts/ztext/engkjv2006eb/nt.bzv");
        byte[] b = Files.readAllBytes(bzv);
        // John 11:35 (slot 3498) given a size past the end of its block
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(3498 * 10 + 8, (short) 30000);
        Files.write(bzv, b);
        CorpusException e = assertThrows(CorpusException.class,
                () -> SwordModule.read(ZTextFixture.files(root), KJV));
        assertTrue(e.getMessage().startsWith(bzv + " at offset 34980 (John.11.35): bytes "), e.getMessage());
    }
}
