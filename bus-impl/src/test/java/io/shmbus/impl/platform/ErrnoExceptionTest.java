package io.shmbus.impl.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrnoExceptionTest
{

    @Test
    void messageNamesCallErrnoAndDescription()
    {
        ErrnoException e = new ErrnoException("open(/dev/shm/x)", 2);
        assertEquals("open(/dev/shm/x) failed: ENOENT (No such file or directory)", e.getMessage());
        assertEquals(2, e.errno());
        assertEquals("open(/dev/shm/x)", e.call());
        assertInstanceOf(IOException.class, e);
    }

    @Test
    void commonErrnoNamesMatchLinuxNumbers()
    {
        assertEquals("EPERM", ErrnoException.name(1));
        assertEquals("ENOENT", ErrnoException.name(2));
        assertEquals("EINTR", ErrnoException.name(4));
        assertEquals("EBADF", ErrnoException.name(9));
        assertEquals("EAGAIN", ErrnoException.name(11));
        assertEquals("ENOMEM", ErrnoException.name(12));
        assertEquals("EACCES", ErrnoException.name(13));
        assertEquals("EEXIST", ErrnoException.name(17));
        assertEquals("EINVAL", ErrnoException.name(22));
        assertEquals("EMFILE", ErrnoException.name(24));
        assertEquals("EFBIG", ErrnoException.name(27));
        assertEquals("ENOSPC", ErrnoException.name(28));
        assertEquals("ENOSYS", ErrnoException.name(38));
        assertEquals("ENOTSOCK", ErrnoException.name(88));
        assertEquals("ETIMEDOUT", ErrnoException.name(110));
        assertEquals("ECONNREFUSED", ErrnoException.name(111));
        assertEquals("Resource temporarily unavailable", ErrnoException.description(11));
    }

    @Test
    void unknownErrnoStillGivesAReadableMessage()
    {
        assertEquals("x() failed: errno 4000 (Unknown error 4000)", new ErrnoException("x()", 4000).getMessage());
    }
}
