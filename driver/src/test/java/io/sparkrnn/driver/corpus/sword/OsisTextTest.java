package io.sparkrnn.driver.corpus.sword;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** OSIS markup to the verse's words. */
class OsisTextTest {
    @Test
    void keepsWordsDropsNotesTitlesAndAttributes() {
        assertEquals("In the beginning God created the heaven and the earth.", OsisText.plain(
                "In the <w lemma=\"strong:H7225\">beginning</w> <w lemma=\"strong:H0430\">God</w> <w "
                        + "lemma=\"strong:H1254\">created</w> the heaven and the earth.  "));
        // a note between a word and the next: one space; before a comma: none
        assertEquals("God created", OsisText.plain("<w>God</w><note placement=\"foot\"><reference "
                + "type=\"annotateRef\">1:1 </reference>The Hebrew word</note><w>created</w>"));
        assertEquals("Jesus Christ, the son", OsisText.plain("<w>Jesus</w> <w>Christ</w><note>Messiah</note>, "
                + "<w>the</w> son"));
        assertEquals("I am the LORD: and", OsisText.plain("I <transChange type=\"added\">am</transChange> the "
                + "<divineName><w>LORD</w></divineName>:<note>or, <seg><divineName>JEHOVAH</divineName></seg></note> "
                + "and"));
        assertEquals("Let him kiss me", OsisText.plain("<speaker>Beloved</speaker> <lg sID=\"a\"/> <l sID=\"b\"/>"
                + "Let him kiss me"));
        assertEquals("my soul, “There is", OsisText.plain("my soul,<l eID=\"g1\" level=\"1\"/><l sID=\"g2\"/>“There"
                + " is"));
        assertEquals("Amen.", OsisText.plain("Amen. <chapter eID=\"Rev.22\"/> <div sID=\"g7\" type=\"glossary\"/> "
                + "<title>Glossary</title> Abba is a word.<div eID=\"g7\" type=\"glossary\"/>"));
        assertEquals("by my name JEHOVAH was I", OsisText.plain("by my name \\nd JEHOVAH was I"));
        assertEquals("In the beginning", OsisText.plain("¶ In the beginning"));
        assertEquals("a & b < c \" é", OsisText.plain("a &amp; b &lt; c &quot; &#233;"));
        assertEquals("", OsisText.plain("<title type=\"psalm\">A Psalm</title> <lg sID=\"a\"/>"));
    }
}
