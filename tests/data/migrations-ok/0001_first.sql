CREATE TABLE public.t_first (id integer PRIMARY KEY);
