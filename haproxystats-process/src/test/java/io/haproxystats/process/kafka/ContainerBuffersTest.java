package io.haproxystats.process.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContainerBuffersTest {

    @Test
    void anArrayGivenBackIsLentAgainForAPollOfAboutItsSize() {
        ContainerBuffers buffers = new ContainerBuffers(1 << 30);
        byte[] first = buffers.borrow(1_000_000);
        assertTrue(first.length >= 1_000_000 + 1_000_000 / 8, "an eighth larger: " + first.length);
        buffers.release(first);
        assertSame(first, buffers.borrow(1_100_000), "a slightly larger poll fits the same array");
        assertNotSame(first, buffers.borrow(1_000_000), "lent out: not lent twice");
    }

    @Test
    void theSmallestFreeArrayThatFitsIsLent() {
        ContainerBuffers buffers = new ContainerBuffers(1 << 30);
        byte[] large = buffers.borrow(50 << 20);
        byte[] small = buffers.borrow(100_000);
        buffers.release(large);
        buffers.release(small);
        assertSame(small, buffers.borrow(90_000));
        assertSame(large, buffers.borrow(200_000), "the large one when no other fits");
    }

    @Test
    void freeArraysStayWithinTheBoundTheLargestLetGoFirst() {
        ContainerBuffers buffers = new ContainerBuffers(3 << 20);
        byte[] a = buffers.borrow(1 << 20);
        byte[] b = buffers.borrow(1 << 20);
        byte[] c = buffers.borrow(4 << 20);
        buffers.release(a);
        buffers.release(b);
        assertEquals(a.length + b.length, buffers.retained());
        buffers.release(c); // over the bound: the largest goes
        assertEquals(a.length + b.length, buffers.retained());
        assertTrue(buffers.borrow(3 << 20).length >= 3 << 20, "not c: it was let go");
        assertEquals(a.length + b.length, buffers.retained());
    }
}
