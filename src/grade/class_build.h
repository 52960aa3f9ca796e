/* Building a bank_class, shared by the folder reader (class_batch.c) and the archive reader
 * (class_zip.c); and the lists of text the rows are made of. class_batch.h is the interface. */
#ifndef BANK_GRADE_CLASS_BUILD_H
#define BANK_GRADE_CLASS_BUILD_H

#include "class_batch.h"

/* The student of that name (or, with canvas_id, of that Canvas id), made when new; NULL when out
 * of memory. The pointer lasts until the next student is made. */
bank_student *bank_class_student(bank_class *c, const char *name, const char *canvas_id, int late);
/* The index of the student of that name (canvas_id NULL) or Canvas id, or SIZE_MAX. */
size_t bank_class_find(const bank_class *c, const char *name, const char *canvas_id);
/* Adds a file (a copy of name, source and disk_path; data is taken over). -1: out of memory. */
int bank_class_add_file(bank_student *s, const char *name, const char *source, const char *disk_path,
                        char *data, size_t len);
void bank_class_note(bank_student *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends item to *list, after sep when the list is not empty. -1: out of memory (*list kept). */
int bank_class_join(char **list, const char *sep, const char *item);
/* Code, documents, media, build output: never an output, never read. */
int bank_class_never_output(const char *name);
/* Opens the archive a student submitted (on disk, or data[0..len)), adding its members as
 * "name/member". A refused archive becomes a note; -1 only when out of memory. */
int bank_class_open_nested(bank_student *s, const char *name, const char *source, const char *disk_path,
                           const char *data, size_t len, bank_archive_budget *b, char *err,
                           size_t errlen);
/* Names Canvas students, sorts students and files; -1 out of memory (a note lost included). */
int bank_class_finish(bank_class *c, char *err, size_t errlen);
/* A class archive (class_zip.c). */
int bank_class_load_archive(const char *path, bank_class *c, char *err, size_t errlen);

#endif
