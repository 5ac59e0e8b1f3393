package io.netwarden.platform.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubjectsTest {

    @Test
    void wildcardsMatchLikeNats() {
        assertTrue(Subjects.matches("ship1.command.shellCommand", "ship1.command.shellCommand"));
        assertTrue(Subjects.matches("ship1.*.shellCommand", "ship1.event.shellCommand"));
        assertTrue(Subjects.matches("dnc.agents.>", "dnc.agents.a1.hello"));
        assertFalse(Subjects.matches("dnc.agents.>", "dnc.agents"));
        assertFalse(Subjects.matches("ship1.*", "ship1.command.x"));
        assertFalse(Subjects.matches("ship1.command", "ship1.command.x"));
        assertFalse(Subjects.matches("ship1.command.x", "ship1.command"));
    }

    @Test
    void aFilterIsWithinAWiderOneAsJetStreamDecidesIt() {
        assertTrue(Subjects.isWithin("ship1.command.*", "*.command.*"));
        assertTrue(Subjects.isWithin("ship1.command.ping", "*.command.*"));
        assertTrue(Subjects.isWithin("t.x.>", "t.x.>"));
        assertTrue(Subjects.isWithin("t.x.a.>", "t.>"));
        assertTrue(Subjects.isWithin("a.b", "a.b"));
        assertFalse(Subjects.isWithin("ship1.>", "*.command.*"), "the old node filter: JetStream refused it");
        assertFalse(Subjects.isWithin("ship1.*.*", "*.command.*"));
        assertFalse(Subjects.isWithin("*.command.*", "ship1.command.*"));
        assertFalse(Subjects.isWithin("t.>", "t.x.>"));
        assertFalse(Subjects.isWithin("a.b.c", "a.b"));
        assertFalse(Subjects.isWithin("a.b", "a.b.c"));
        assertFalse(Subjects.isWithin("a.b", "a.c"));
    }

    @Test
    void invalidSubjectsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Subjects.requireValidSubject("a..b"));
        assertThrows(IllegalArgumentException.class, () -> Subjects.requireValidSubject("a b"));
        assertThrows(IllegalArgumentException.class, () -> Subjects.requireValidSubject("a.*"));
        assertThrows(IllegalArgumentException.class, () -> Subjects.requireValidFilter("a.>.b"));
        assertThrows(IllegalArgumentException.class, () -> Subjects.requireValidSubject(""));
    }
}
